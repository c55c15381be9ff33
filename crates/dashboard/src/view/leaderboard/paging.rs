//! The paging and sorting helpers every paged list shares, the leaderboard and the list of
//! experiments: rows per page, what a page says it shows, the links to its neighbours, and a
//! sortable column head's arrow.

use crate::{Error, Result};

/// Rows per page on the page, and the default of the API.
pub(crate) const PER_PAGE: u32 = 50;
/// The most rows the API returns at once.
pub(crate) const MAX_PER_PAGE: u32 = 1000;

/// Returns the page and the rows per page that `page` and `per_page` ask for (the first page,
/// and `default_per_page` rows, unless given), the same for every paged list: the leaderboard
/// and the experiments; a page of 0 or rows past `MAX_PER_PAGE` are a bad request.
pub(crate) fn paging(
    page: Option<u32>,
    per_page: Option<u32>,
    default_per_page: u32,
) -> Result<(u32, u32)> {
    let page = page.unwrap_or(1);
    if page == 0 {
        return Err(Error::BadRequest("page starts at 1".into()));
    }
    let per_page = per_page.unwrap_or(default_per_page);
    if per_page == 0 || per_page > MAX_PER_PAGE {
        return Err(Error::BadRequest(format!(
            "per_page must be in 1..={MAX_PER_PAGE}"
        )));
    }
    Ok((page, per_page))
}

/// Returns the number of pages of `per_page` rows that `matching` rows fill: at least 1, so
/// that a list with no rows has its (empty) first page.
pub(crate) fn pages_of(matching: usize, per_page: u32) -> u32 {
    let per_page = usize::try_from(per_page).unwrap_or(usize::MAX).max(1);
    u32::try_from(matching.div_ceil(per_page).max(1)).unwrap_or(u32::MAX)
}

/// Returns what page `page` (from 1) of a list, `per_page` to a page, says it shows of the
/// `matching` rows when it shows `shown` of them: `51–100 of 200`, or `0 of 200`.
pub(crate) fn showing(page: u32, per_page: u32, shown: usize, matching: usize) -> String {
    let first = usize::try_from(page.saturating_sub(1))
        .unwrap_or(usize::MAX)
        .saturating_mul(usize::try_from(per_page).unwrap_or(usize::MAX))
        .saturating_add(1);
    match shown {
        0 => format!("0 of {matching}"),
        n => format!("{first}–{} of {matching}", first + n - 1),
    }
}

/// Returns the links from page `page` of `pages` to the first, previous, next and last pages,
/// each where there is one (`link` writes a page's address); past the last, the previous is
/// the last.
pub(crate) fn page_links(
    page: u32,
    pages: u32,
    link: impl Fn(u32) -> String,
) -> [Option<String>; 4] {
    [
        (page > 1).then(|| link(1)),
        (page > 1).then(|| link(page.min(pages + 1) - 1)),
        (page < pages).then(|| link(page + 1)),
        (page < pages).then(|| link(pages)),
    ]
}

/// Reads a page's query with `asked`; when that fails and the query names a sort or its
/// direction (`names_sort`), reads it again without them (`unsorted`): the page stays, in the
/// default order, and what was wrong comes back (without backticks) to be shown beside the
/// table, as on the experiments list and the leaderboard. When the query without its sort
/// does not read either, that error is the answer, as the API (which takes no fallback)
/// reports the first mistake it reads; one that names no sort is the answer as it is.
pub(crate) fn sort_or_default<T>(
    names_sort: bool,
    asked: impl FnOnce() -> Result<T>,
    unsorted: impl FnOnce() -> Result<T>,
) -> Result<(T, String)> {
    match asked() {
        Ok(read) => Ok((read, String::new())),
        Err(e) if names_sort => Ok((unsorted()?, e.to_string().replace('`', ""))),
        Err(e) => Err(e),
    }
}

/// Returns a sortable column head's arrow (`▲`, `▼` or none) and its `aria-sort`: none unless
/// it is the `current` sort, which runs `descending` or not.
pub(crate) fn sort_arrow(current: bool, descending: bool) -> (&'static str, &'static str) {
    match (current, descending) {
        (false, _) => ("", "none"),
        (true, false) => ("▲", "ascending"),
        (true, true) => ("▼", "descending"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_list_page_says_what_it_shows_and_links_its_neighbours() {
        assert_eq!(showing(2, 50, 50, 120), "51–100 of 120");
        assert_eq!(showing(3, 50, 20, 120), "101–120 of 120");
        assert_eq!(showing(4, 50, 0, 120), "0 of 120");
        let link = |p: u32| format!("p{p}");
        let some = |p: &str| Some(p.to_string());
        assert_eq!(page_links(1, 3, link), [None, None, some("p2"), some("p3")]);
        assert_eq!(
            page_links(2, 3, link),
            [some("p1"), some("p1"), some("p3"), some("p3")]
        );
        // Past the last, the previous page is the last.
        assert_eq!(page_links(9, 3, link), [some("p1"), some("p3"), None, None]);
        assert_eq!(sort_arrow(false, true), ("", "none"));
        assert_eq!(sort_arrow(true, false), ("▲", "ascending"));
        assert_eq!(sort_arrow(true, true), ("▼", "descending"));
    }
}

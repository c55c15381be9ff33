//! The IDX loader: MNIST's file format, so that MNIST and Fashion-MNIST can be used as they are
//! distributed (once un-gzipped).
//!
//! An IDX file is a 4-byte magic number (two zero bytes, a type code, the number of dimensions),
//! one big-endian `u32` per dimension, then the values, big-endian, in row-major order. The
//! images file has 3 dimensions (images, rows, columns) or 4 (with channels last); the labels
//! file has 1. Images become rows of `rows * columns * channels` pixel features named
//! `px<row>_<col>` (`px<row>_<col>_<channel>` with several channels), as the shipped digits
//! CSV names them; the image shape comes from the file. Labels are classes.

use std::path::Path;

use experiment::{DataSpec, ImageShape, Located, Task};

use crate::data::{Dataset, Matrix, Targets};
use crate::{Error, Result};

/// A parsed IDX file: its dimensions and its values as `f32`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Idx {
    pub(crate) dims: Vec<usize>,
    pub(crate) values: Vec<f32>,
}

/// Loads the images named by `spec.csv` and the labels named by `labels`.
pub(crate) fn load(spec: &DataSpec, labels: &Located<std::path::PathBuf>) -> Result<Dataset> {
    let images_path = &spec.csv.value;
    let images = read(&spec.csv, "data.idx.images")?;
    let labels_file = read(labels, "data.idx.labels")?;
    let unusable = |path: &Path, message: String| Error::Unusable {
        path: path.to_path_buf(),
        message,
    };
    let (n, image) = match images.dims[..] {
        [n, height, width] => (
            n,
            ImageShape {
                height,
                width,
                channels: 1,
            },
        ),
        [n, height, width, channels] => (
            n,
            ImageShape {
                height,
                width,
                channels,
            },
        ),
        _ => {
            return Err(unusable(
                images_path,
                format!(
                    "an IDX images file has 3 or 4 dimensions (images, rows, columns[, \
                     channels]), found {}",
                    images.dims.len()
                ),
            ))
        }
    };
    // With no image, the header's image size is bound by no bytes that follow it.
    if n == 0 || image.height * image.width * image.channels == 0 {
        return Err(unusable(
            images_path,
            format!(
                "the file holds no pixels: {n} images of {}x{}x{}",
                image.height, image.width, image.channels
            ),
        ));
    }
    if labels_file.dims.len() != 1 || labels_file.dims[0] != n {
        return Err(unusable(
            &labels.value,
            format!(
                "expected one label per image ({n}), found dimensions {:?}",
                labels_file.dims
            ),
        ));
    }
    if let Some(given) = spec.image.filter(|given| *given != image) {
        return Err(unusable(
            images_path,
            format!(
                "data.image says {}x{}x{}, but the file holds {}x{}x{} images",
                given.height,
                given.width,
                given.channels,
                image.height,
                image.width,
                image.channels
            ),
        ));
    }
    let pixels = image.height * image.width * image.channels;
    let feature_names = (0..pixels)
        .map(|i| {
            let (pixel, channel) = (i / image.channels, i % image.channels);
            let (row, col) = (pixel / image.width, pixel % image.width);
            if image.channels == 1 {
                format!("px{row}_{col}")
            } else {
                format!("px{row}_{col}_{channel}")
            }
        })
        .collect();
    let raw: Vec<String> = labels_file.values.iter().map(|v| v.to_string()).collect();
    let features = Matrix {
        rows: n,
        cols: pixels,
        data: images.values,
    };
    let task = spec.task.or(Some(Task::Classification));
    Targets::from_raw(&raw, task).into_dataset(
        features,
        feature_names,
        Some(image),
        &spec.target.value,
        // What is wrong with the targets (one class, ...) is about the labels' file.
        &|message| unusable(&labels.value, message),
    )
}

/// Reads and parses the IDX file named by `file`, in the spec's `field`.
fn read(file: &Located<std::path::PathBuf>, field: &'static str) -> Result<Idx> {
    let bytes = crate::data::read_file(file, field)?;
    parse(&bytes).map_err(|message| Error::Unusable {
        path: file.value.clone(),
        message,
    })
}

/// Parses the bytes of an IDX file, or says what is wrong with them.
pub(crate) fn parse(bytes: &[u8]) -> std::result::Result<Idx, String> {
    if bytes.starts_with(&[0x1f, 0x8b]) {
        return Err("the file is gzip-compressed; un-gzip it first (`gunzip FILE.gz`)".into());
    }
    let [0, 0, kind, ndims, ..] = bytes[..] else {
        return Err(match bytes {
            [] => "the file is empty; an IDX file starts with a header of at least 4 bytes".into(),
            [0] | [0, 0] | [0, 0, _] => "the IDX header is cut short".into(),
            _ => "not an IDX file: it does not start with two zero bytes".into(),
        });
    };
    let width = match kind {
        0x08 | 0x09 => 1,
        0x0B => 2,
        0x0C | 0x0D => 4,
        0x0E => 8,
        _ => return Err(format!("not an IDX file: unknown type code 0x{kind:02x}")),
    };
    let header = 4 + 4 * usize::from(ndims);
    if bytes.len() < header {
        return Err("the IDX header is cut short".into());
    }
    let dims: Vec<usize> = bytes[4..header]
        .chunks_exact(4)
        .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize)
        .collect();
    let count = dims
        .iter()
        .try_fold(1usize, |n, &d| n.checked_mul(d))
        .ok_or("the IDX dimensions overflow")?;
    let body = &bytes[header..];
    if count.checked_mul(width) != Some(body.len()) {
        return Err(format!(
            "the IDX header announces {count} values of {width} bytes ({}), but {} bytes follow",
            dims.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("x"),
            body.len()
        ));
    }
    // Pixel and label values are small; the widest types are converted as exactly as f32 can.
    #[allow(clippy::cast_precision_loss, clippy::cast_possible_truncation)]
    let values: Vec<f32> = body
        .chunks_exact(width)
        .map(|b| match kind {
            0x08 => f32::from(b[0]),
            0x09 => f32::from(i8::from_be_bytes([b[0]])),
            0x0B => f32::from(i16::from_be_bytes([b[0], b[1]])),
            0x0C => i32::from_be_bytes([b[0], b[1], b[2], b[3]]) as f32,
            0x0D => f32::from_be_bytes([b[0], b[1], b[2], b[3]]),
            _ => f64::from_be_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]) as f32,
        })
        .collect();
    // A float that is not a number, or past f32's range, would reach training as NaN or inf
    // (as a CSV cell, it is refused).
    if let Some(at) = values.iter().position(|v| !v.is_finite()) {
        return Err(format!(
            "value {} of the file (counted from 1) is not a finite number{}",
            at + 1,
            if kind == 0x0E {
                " in single precision (past about 3.4e38, or NaN)"
            } else {
                " (NaN or an infinity)"
            }
        ));
    }
    Ok(Idx { dims, values })
}

/// Returns the bytes of an IDX file of unsigned bytes with dimensions `dims`.
#[cfg(test)]
pub(crate) fn encode_u8(dims: &[u32], values: &[u8]) -> Vec<u8> {
    let ndims = u8::try_from(dims.len()).unwrap();
    let mut bytes = vec![0, 0, 0x08, ndims];
    for d in dims {
        bytes.extend_from_slice(&d.to_be_bytes());
    }
    bytes.extend_from_slice(values);
    bytes
}

#[cfg(test)]
mod tests {
    use experiment::DataFormat;

    use super::*;
    use crate::data::tests::spec;

    #[test]
    fn parses_headers_and_every_value_type() {
        let idx = parse(&encode_u8(&[2, 3], &[0, 1, 2, 253, 254, 255])).unwrap();
        assert_eq!(idx.dims, [2, 3]);
        assert_eq!(idx.values, [0.0, 1.0, 2.0, 253.0, 254.0, 255.0]);
        let mut floats = vec![0, 0, 0x0D, 1, 0, 0, 0, 2];
        floats.extend_from_slice(&1.5f32.to_be_bytes());
        floats.extend_from_slice(&(-2.0f32).to_be_bytes());
        assert_eq!(parse(&floats).unwrap().values, [1.5, -2.0]);
        let mut signed = vec![0, 0, 0x0B, 1, 0, 0, 0, 1];
        signed.extend_from_slice(&(-300i16).to_be_bytes());
        assert_eq!(parse(&signed).unwrap().values, [-300.0]);
        // A float that is no number, or none in single precision, is refused at its place.
        let mut nan = vec![0, 0, 0x0D, 1, 0, 0, 0, 2];
        nan.extend_from_slice(&1.5f32.to_be_bytes());
        nan.extend_from_slice(&f32::NAN.to_be_bytes());
        assert_eq!(
            parse(&nan).unwrap_err(),
            "value 2 of the file (counted from 1) is not a finite number (NaN or an infinity)"
        );
        let mut wide = vec![0, 0, 0x0E, 1, 0, 0, 0, 1];
        wide.extend_from_slice(&1e300f64.to_be_bytes());
        assert!(parse(&wide).unwrap_err().contains("past about 3.4e38"));
    }

    #[test]
    fn malformed_files_say_what_is_wrong() {
        for (bytes, want) in [
            (vec![0x1f, 0x8b, 8, 0], "gzip-compressed"),
            (vec![1, 2, 3, 4], "does not start with two zero bytes"),
            (vec![], "the file is empty"),
            (vec![0, 0], "the IDX header is cut short"),
            (vec![0, 0, 0x42, 1, 0, 0, 0, 1, 0], "unknown type code 0x42"),
            (vec![0, 0, 8, 2, 0, 0], "header is cut short"),
            (
                encode_u8(&[2, 2], &[1, 2, 3]),
                "announces 4 values of 1 bytes (2x2)",
            ),
            // 2^61 values of 8 bytes: their size wraps to 0, which no body must match.
            (
                vec![0, 0, 0x0E, 3, 0, 0x20, 0, 0, 0, 0x10, 0, 0, 0, 0x10, 0, 0],
                "announces 2305843009213693952 values of 8 bytes",
            ),
        ] {
            let err = parse(&bytes).unwrap_err();
            assert!(err.contains(want), "{err}");
        }
    }

    #[test]
    fn loads_images_and_labels_as_a_dataset() {
        let dir = tempfile::tempdir().unwrap();
        let images = dir.path().join("images.idx");
        let labels = dir.path().join("labels.idx");
        let pixels: Vec<u8> = (0..3 * 2 * 2).collect();
        std::fs::write(&images, encode_u8(&[3, 2, 2], &pixels)).unwrap();
        std::fs::write(&labels, encode_u8(&[3], &[7, 1, 7])).unwrap();
        let mut data = spec(&images, "label");
        let located = Located {
            value: labels.clone(),
            location: data.csv.location.clone(),
        };
        data.format = DataFormat::Idx {
            labels: located.clone(),
        };
        let d = crate::data::load(&data).unwrap();
        assert_eq!(d.feature_names, ["px0_0", "px0_1", "px1_0", "px1_1"]);
        assert_eq!(d.class_names, ["1", "7"]);
        assert_eq!(d.labels, [1, 0, 1]);
        assert_eq!(d.features.row(2), [8.0, 9.0, 10.0, 11.0]);
        assert_eq!(
            d.image,
            Some(ImageShape {
                height: 2,
                width: 2,
                channels: 1
            })
        );

        std::fs::write(&labels, encode_u8(&[2], &[7, 1])).unwrap();
        let err = crate::data::load(&data).unwrap_err();
        assert!(
            err.to_string().contains("expected one label per image (3)"),
            "{err}"
        );

        // No image: the header's 2^31 x 2^31 pixels are refused, not named one by one.
        let mut none = vec![0, 0, 8, 3, 0, 0, 0, 0];
        none.extend_from_slice(&[0x80, 0, 0, 0, 0x80, 0, 0, 0]);
        std::fs::write(&images, none).unwrap();
        std::fs::write(&labels, encode_u8(&[0], &[])).unwrap();
        let err = crate::data::load(&data).unwrap_err().to_string();
        assert!(
            err.contains("images.idx")
                && err.contains("no pixels: 0 images of 2147483648x2147483648x1"),
            "{err}"
        );
    }
}

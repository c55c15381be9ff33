"""Compiles dfdx's CUDA kernels to PTX with NVRTC, as dfdx's build script does with nvcc.

Usage: ptx.py NVRTC_LIB CUDA_INCLUDE STUB_INCLUDE DFDX_SRC OUT_DIR ARCH
NVRTC compiles device code only, so the host headers the kernels name (<cstdint>, <math.h>)
come from STUB_INCLUDE.
"""
import ctypes
import glob
import os
import sys

nvrtc_lib, cuda_include, stub_include, dfdx, out, arch = sys.argv[1:7]
lib = ctypes.CDLL(nvrtc_lib)
os.makedirs(out, exist_ok=True)
headers = sorted({os.path.dirname(p) for p in glob.glob(dfdx + "/src/**/*.cuh", recursive=True)})
options = [
    f"--gpu-architecture=compute_{arch}",
    "--std=c++17",
    "-default-device",
    "-I" + cuda_include,
    "-I" + stub_include,
    f"--pre-include={stub_include}/math.h",
] + ["-I" + h for h in headers]
failed = 0
for path in sorted(glob.glob(dfdx + "/src/**/*.cu", recursive=True)):
    program = ctypes.c_void_p()
    source = open(path, "rb").read()
    assert lib.nvrtcCreateProgram(ctypes.byref(program), source, path.encode(), 0, None, None) == 0
    argv = (ctypes.c_char_p * len(options))(*[o.encode() for o in options])
    status = lib.nvrtcCompileProgram(program, len(options), argv)
    size = ctypes.c_size_t()
    if status != 0:
        lib.nvrtcGetProgramLogSize(program, ctypes.byref(size))
        log = ctypes.create_string_buffer(size.value)
        lib.nvrtcGetProgramLog(program, log)
        print(f"{path}: {log.value.decode()}", file=sys.stderr)
        failed += 1
        continue
    lib.nvrtcGetPTXSize(program, ctypes.byref(size))
    ptx = ctypes.create_string_buffer(size.value)
    lib.nvrtcGetPTX(program, ptx)
    stem = os.path.splitext(os.path.basename(path))[0]
    with open(os.path.join(out, stem + ".ptx"), "wb") as f:
        f.write(ptx.value)
sys.exit(1 if failed else 0)

"""Chrome trace events laid out as PyTorch's profiler writes them on a GPU (kineto): host ops and marks, the
runtime's and driver's launch calls, and the kernels they launched, tied by correlation and External ids."""
from vcam.bench.split import STAGE_MARK


def host(cat, name, ts, dur, ext, tid=1):
    return {"ph": "X", "cat": cat, "name": name, "pid": 1, "tid": tid, "ts": ts, "dur": dur,
            "args": {"External id": ext}}


def launch(name, ts, corr, ext, cat="cuda_runtime"):
    return {"ph": "X", "cat": cat, "name": name, "pid": 1, "tid": 1, "ts": ts, "dur": 2,
            "args": {"External id": ext, "correlation": corr}}


def kernel(name, ts, dur, corr, ext, cat="kernel"):
    return {"ph": "X", "cat": cat, "name": name, "pid": 0, "tid": 7, "ts": ts, "dur": dur,
            "args": {"External id": ext, "correlation": corr, "stream": 7}}


def block_trace():
    """Two passes, 100 µs of host time each. Pass 1 launches a GEMM and (in its math attention op) a matrix
    product; pass 2 launches a cuDNN attention kernel and, through the driver's call, a Triton kernel that the
    profiler links to an op of pass 1 (External id 3), as a split that holds more than its pass would read."""
    return [
        host("user_annotation", STAGE_MARK + "pass 1", 0, 100, 1),
        host("cpu_op", "aten::addmm", 10, 20, 2),
        launch("cudaLaunchKernel", 15, 100, 2),
        host("cpu_op", "aten::_scaled_dot_product_attention_math", 40, 30, 3),
        host("cpu_op", "aten::bmm", 45, 10, 4),
        launch("cudaLaunchKernel", 50, 101, 4),
        host("user_annotation", STAGE_MARK + "pass 2", 100, 100, 5),
        host("cpu_op", "aten::_scaled_dot_product_cudnn_attention", 110, 20, 6),
        launch("cudaLaunchKernel", 115, 102, 6),
        launch("cuLaunchKernel", 150, 103, 3, cat="cuda_driver"),
        launch("cudaMemsetAsync", 250, 104, 0),  # after every mark: in no stage
        kernel("sm90_xmma_gemm_bf16bf16", 1000, 40, 100, 2),
        kernel("sm90_xmma_gemm_bf16bf16", 1040, 30, 101, 4),
        kernel("cudnn_generated_fort_native_sdpa_sm90_flash_fprop", 1070, 20, 102, 6),
        kernel("triton_poi_fused_add_mul_0", 1090, 10, 103, 3),
        kernel("Memset (Device)", 1100, 5, 104, 0, cat="gpu_memset"),
    ]

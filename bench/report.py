#!/usr/bin/python3
"""Formats bench/run's results.jsonl as the Markdown tables of bench/README.md.

usage: report.py RESULTS.jsonl

FLOPs are counted analytically (2 per multiply-add of every product, attention included; the
work of layernorm/softmax/activations is not counted), from the benchmark models' shapes."""
import json
import statistics
import sys

# the checkpoints bench/make_models.py writes
MARIAN = dict(D=512, F=2048, L=6, V=58101)
BERT = dict(D=768, F=3072, L=12)


def encoder_flops(T, D, F, L):
    return L * (2 * T * (4 * D * D + 2 * D * F) + 4 * T * T * D)


def flops(name, row):
    if name in ("W1", "W2"):
        Te = 32 if name == "W1" else 256
        D, F, L, V = MARIAN["D"], MARIAN["F"], MARIAN["L"], MARIAN["V"]
        f = encoder_flops(Te, D, F, L) + L * 2 * Te * 2 * D * D  # + cross-attention K, V
        for t in range(row.get("generated", 32)):
            f += L * (2 * (6 * D * D + 2 * D * F) + 4 * (t + 1) * D + 4 * Te * D) + 2 * D * V
        return f
    if name == "W3":
        return encoder_flops(512, BERT["D"], BERT["F"], BERT["L"])
    return encoder_flops(197, BERT["D"], BERT["F"], BERT["L"]) + 2 * 196 * 768 * 768


def ms(x):
    return "%.0f" % x if x >= 100 else "%.1f" % x


def block(rows, side, title):
    """The captured output lines of one side as a fenced block under a title."""
    lines = [r["line"] for r in rows if r["side"] == side]
    if lines:
        print()
        print(title)
        print()
        print("```")
        for line in lines:
            print(line)
        print("```")


def main():
    rows = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
    by = {}
    for r in rows:
        if "name" in r:
            key = r["side"] if r["side"] == "pytorch" else r["side"] + "-" + (r["device"] or "vk")
            if r["side"] == "pytorch":
                key = "pt-" + r["peer"]
            by[(r["name"], key)] = r
    mach = [r for r in rows if r["side"] == "machine"][0]
    after = [r for r in rows if r["side"] == "machine_after"]
    print("Machine: %s, %d cores, %d GB RAM, Linux %s; Vulkan device: %s. Load average "
          "(1/5/15 min) before: %s, after: %s." % (mach["cpu"], mach["cores"], mach["mem_gb"],
                                                    mach["kernel"], mach["vulkan"],
                                                    mach["load_before"],
                                                    after[0]["load_before"] if after else "?"))
    pt = [r for r in rows if r["side"] == "pytorch"]
    if pt:
        print("PyTorch %s, %d threads; peer BLAS: OpenBLAS (%s) / reference (%s)." % (
            pt[0]["torch"], pt[0]["threads"],
            ", ".join(b.split("/")[-1] for b in pt[0]["blas"]),
            ", ".join(b.split("/")[-1] for b in pt[-1]["blas"])))
    print()
    print("| workload | attnscope Vulkan min / median ms | attnscope cpu min / median ms | "
          "PyTorch min / median ms | Vulkan / PyTorch | cpu / PyTorch | PyTorch ref-BLAS ms | "
          "ref-BLAS / Vulkan | GFLOPS Vulkan / cpu / PyTorch | dispatches / submits per pass "
          "| per decoded token | peak RSS MB Vulkan / cpu / PyTorch |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for name in ("W1", "W2", "W3", "W4"):
        vk, cpu = by.get((name, "attnscope-vk")), by.get((name, "attnscope-cpu"))
        pto, ptr = by.get((name, "pt-openblas")), by.get((name, "pt-refblas"))
        if not (vk and cpu and pto and ptr):
            continue
        f = flops(name, vk)
        print("| %s | %s / %s | %s / %s | %s / %s | **%.2f** | **%.2f** | %s | **%.1f** | "
              "%.1f / %.1f / %.1f | %d / %d | %s | %.0f / %.0f / %.0f |" % (
                  name, ms(vk["min_ms"]), ms(vk["median_ms"]), ms(cpu["min_ms"]),
                  ms(cpu["median_ms"]), ms(pto["min_ms"]), ms(pto["median_ms"]),
                  vk["median_ms"] / pto["median_ms"], cpu["median_ms"] / pto["median_ms"],
                  ms(ptr["median_ms"]), ptr["median_ms"] / vk["median_ms"],
                  f / vk["median_ms"] / 1e6, f / cpu["median_ms"] / 1e6,
                  f / pto["median_ms"] / 1e6, vk["dispatches"], vk["submits"],
                  "%d / %d" % (vk["dispatches_per_token"], vk["submits_per_token"])
                  if name in ("W1", "W2") else "-",
                  vk["peak_rss_mb"], cpu["peak_rss_mb"], pto["peak_rss_mb"]))
    mm = [r for r in rows if r["side"] == "matmul"]
    blas = {(r["M"], r["N"], r["K"]): r for r in rows if r["side"] == "matmul_cpu"}
    if mm:
        shapes = []
        for r in mm:
            if (r["N"], r["K"]) not in shapes:
                shapes.append((r["N"], r["K"]))
        print()
        print("Matmul (Linear layer, y = x w^T + bias), GFLOPS by rows M and weight shape "
              "N x K: Vulkan device / OpenBLAS (`--device cpu`, same cores, same run):")
        print()
        print("| M | " + " | ".join("%dx%d" % s for s in shapes) + " |")
        print("|---|" + "---|" * len(shapes))
        for m in sorted({r["M"] for r in mm}):
            cells = []
            for s in shapes:
                hit = [r for r in mm if r["M"] == m and (r["N"], r["K"]) == s]
                peer = blas.get((m,) + s)
                cells.append(("%.1f" % hit[0]["gflops"] if hit else "") +
                             (" / %.1f" % peer["gflops"] if hit and peer else ""))
            print("| %d | %s |" % (m, " | ".join(cells)))
    st = [r for r in rows if r["side"] == "startup"]
    if st:
        warm = [r["ms"] for r in st if r["cache"] == "warm"]
        print()
        print("Explorer start-up to first frame (bundled model, `--max-frames 1`, whole process): "
              "cold cache %.0f ms, warm cache median %.0f ms (min %.0f) over %d runs." % (
                  [r["ms"] for r in st if r["cache"] == "cold"][0], statistics.median(warm),
                  min(warm), len(warm)))
    block(rows, "tui_frame", "Explorer frame time, 4,096 x 4,096 map (bench/tui_frame):")

    lg = [r for r in rows if r["side"] == "long"]
    if lg:
        print()
        print("4,096-token BERT-base, Q/K store (bench/long_bench; times wall / CPU ms):")
        print()
        print("| device | forward | peak RSS after run | Q/K store | one head | mean of 12 | "
              "max of 12 | peak RSS at end |")
        print("|---|---|---|---|---|---|---|---|")
        for r in lg:
            print("| %s | %s / %s | %.0f MiB | %.0f MiB | %s / %s | %s / %s | %s / %s | %.0f MiB |" % (
                r["backend"], ms(r["forward_ms"]), ms(r["forward_cpu_ms"]), r["rss_run_mb"],
                r["store_mb"], ms(r["head_ms"]), ms(r["head_cpu_ms"]), ms(r["mean_ms"]),
                ms(r["mean_cpu_ms"]), ms(r["max_ms"]), ms(r["max_cpu_ms"]), r["rss_end_mb"]))
    block(rows, "tui_frame_qk", "Explorer frame time on that Q/K store (bench/tui_frame "
          "--model, cpu):")


if __name__ == "__main__":
    main()

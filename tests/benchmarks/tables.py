"""`make benchmark`'s report as it prints it: one table with the raw figures of the same run, the
staff commands' first and slowest, CPU time and SQL statements each, memory, and the profiles."""

from __future__ import annotations


def print_table(report: dict, *, staff: int) -> None:
    print(f"\n{'what':<92} {'n':>5} {'missing':>7} {'/s':>7} {'ratio':>6} {'p50 ms':>8} {'p99 ms':>8}")
    for row in report["results"]:
        ratio = row.get("ratio_to_raw_temporal", "")
        print(f"{row['what']:<92} {row['count']:>5} {row.get('missing', ''):>7} {row['per_second']:>7} {ratio:>6} {row.get('p50_ms', ''):>8} {row.get('p99_ms', ''):>8}")
    for row in report["results"]:
        if "first_commands_ms" in row:
            print(row["what"].split(", ", 1)[1] + ": each staff member's first command (not counted above): " + ", ".join(f"{ms:g}" for ms in row["first_commands_ms"])
                  + " ms; the slowest counted: " + ", ".join(f"{slow['ms']:g} ms (command {slow['turn']})" for slow in row["slowest"]))
    print_raw_commands(report["results"])
    print_cpu(report["results"], staff)
    memory = report.get("memory_mb", {})
    if memory:
        rss = report["rss_mb"]
        print(f"\nMemory (PSS) after the load: Kotopolku {memory['kotopolku']} MB + its Temporal server {memory['temporal_server']} MB = {memory['together']} MB"
              f" (RSS: {rss['kotopolku']} + {rss['temporal_server']} MB)")
    machine = report["machine"]
    print(f"Machine: {machine['cpus']} CPUs, load {machine['load_at_start']} at the start, {machine['load_at_end']} at the end")
    for name, profile in report.get("profiles", {}).items():
        print(f"\nProfile of {name} during the burst ({profile['samples']} samples), % of samples:")
        for kind in ("self", "total"):
            print(f"  {kind}:")
            for frame, share in profile[kind]:
                print(f"    {share:>5}  {frame}")


def print_raw_commands(results: list[dict]) -> None:
    """The staff commands beside the floor Temporal sets for the same shape on the same machine."""
    raw = next((row for row in results if row["what"].startswith("raw Temporal") and "updates" in row["what"]), None)
    staff = next((row for row in results if "staff" in row["what"] and "pauses" not in row["what"]), None)
    if raw and staff:
        print(f"Staff commands as fast as answered beside raw Temporal's updates of one activity: p50 {staff['p50_ms']} against {raw['p50_ms']} ms"
              f" ({staff['p50_ms'] / raw['p50_ms']:.1f} ×), p99 {staff['p99_ms']} against {raw['p99_ms']} ms ({staff['p99_ms'] / raw['p99_ms']:.1f} ×)")


def print_cpu(results: list[dict], staff: int) -> None:
    """CPU time per item, the figure a shared machine hardly moves; the rate the burst's cost would
    allow beside the raw workflow's on the same cores; and what staff at once queue for."""
    costs = {row["what"]: row["cpu_ms_each"] for row in results if "cpu_ms_each" in row}
    if not costs:
        return

    def label(what: str) -> str:
        if what.startswith("raw Temporal"):
            return "a raw update" if "updates" in what else "a raw workflow"
        return "a staff command" if "staff" in what else "a client"

    print("\nCPU time each (ms): " + "; ".join(
        f"{label(what)}: " + " + ".join(f"{name} {ms}" for name, ms in parts.items()) + f" = {round(sum(parts.values()), 1)}"
        for what, parts in costs.items()
    ))
    raw = next((sum(parts.values()) for what, parts in costs.items() if what.startswith("raw Temporal")), None)
    own = next((sum(parts.values()) for what, parts in costs.items() if what.startswith("Kotopolku: burst")), None)
    if raw and own:
        print(f"By CPU time, a client (with all it sets going) costs {own / raw:.2f} raw one-activity workflows")
    statements = {label(row["what"]): row["statements_each"] for row in results if "statements_each" in row}
    if statements:
        print("SQL statements each: " + "; ".join(
            f"{what}: " + " + ".join(f"{process} {count:g}" for process, count in counts.items()) for what, counts in statements.items()
        ))
    command = next((round(parts["kotopolku"] + parts.get("kotopolku_workers", 0), 1) for what, parts in costs.items() if "staff" in what), None)
    if command:
        print(f"A staff command costs Kotopolku's processes {command} ms of CPU: {staff} commands at once take {staff * command:.0f} ms of it together")

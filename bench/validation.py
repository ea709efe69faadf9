"""Backtest scores of the current model on the bundled episodes A-F, as markdown.

In-sample: the episodes are the training set, and the scenarios' judgements were made knowing
them. The numbers say where the model's structure is wrong, not how well it forecasts.

    .venv/bin/python bench/validation.py --runs 2000 --seed 0 > validation-tables.md
"""

from __future__ import annotations

import argparse
import datetime as dt
import time

import numpy as np

from escalade.engine.layout import PD_STRIKE
from escalade.engine.run import simulate
from escalade.history import episodes as bundled
from escalade.history.backtest import FORECASTERS, _score, backtest
from escalade.history.condition import condition
from escalade.history.questions import Skipped
from escalade.history.scores import format_skill

# Answers whose timing the record gives (EPISODES.md): (episode, cut, who, on whom, real date).
FIRST_ANSWERS = (
    ("A", "2020-01-04", "IRN", "USA", "2020-01-08"),  # Soleimani, 3 Jan -> Al-Asad, 8 Jan
    ("B", "2024-04-02", "IRN", "ISR", "2024-04-13"),  # Damascus, 1 Apr -> the barrage, 13-14 Apr
    ("B", "2024-04-14", "ISR", "IRN", "2024-04-19"),  # the barrage -> Isfahan, 19 Apr
    ("E", "2024-01-29", "USA", "KH", "2024-02-02"),   # Tower 22, 28 Jan -> US strikes, 2 Feb
    ("D", "2024-06-12", "HEZ", "ISR", "2024-06-12"),  # Taleb Abdallah, 11 Jun -> barrage, 12 Jun
    ("D", "2024-07-04", "HEZ", "ISR", "2024-07-04"),  # Mohammed Nasser, 3 Jul -> barrage, 4 Jul
)


def first_answers(runs: int, seed: int) -> None:
    """When the model's first strike comes, against when the real one came."""
    print("\nFirst answers: the day of the first strike (rung >= strike rung) after the cut, "
          f"{runs} runs, against the real one:\n")
    print("| episode | cut | answer | within 30 days | 10th pct | median | 90th pct | real |")
    print("|---|---|---|---|---|---|---|---|")
    for ep_id, cut, a, b, real in FIRST_ANSWERS:
        ep = bundled.find(ep_id)
        assert ep is not None
        table, loaded = bundled.load(ep)
        when = dt.date.fromisoformat(cut)
        cond = condition(loaded.scenario, table, when, 30)
        raw = simulate(cond.compiled, runs, seed, keep_pair_days=True)
        c = cond.compiled
        assert raw.pair_days is not None
        day = raw.pair_days[:, c.index(a), c.index(b), PD_STRIKE]
        lag = day[day >= 0] - cond.cut_day
        if lag.size:
            q = np.percentile(lag, [10, 50, 90], method="inverted_cdf")
            dates = [(when + dt.timedelta(days=int(x))).isoformat()[5:] for x in q]
        else:
            dates = ["–"] * 3
        print(f"| {ep_id} | {cut} | {a}>{b} | {np.mean(day >= 0):.0%} | {' | '.join(dates)} | "
              f"{real[5:]} |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    t0 = time.perf_counter()
    rows, everything = [], []
    for ep in bundled.episodes():
        table, loaded = bundled.load(ep)
        res = backtest(table, loaded.scenario, list(ep.cuts), list(ep.horizons), args.runs,
                       args.seed, covered_until=ep.covered_until, incomplete=ep.incomplete)
        for q in res.questions:
            q["episode"] = ep.id
        everything += res.questions
        rows.append((ep, res))
    print(f"Backtests at each episode's cuts, {args.runs} runs, seed {args.seed} "
          f"({time.perf_counter() - t0:.0f} s).\n")
    print("| episode | cuts | horizons (days) | questions | skipped | yes | Brier model | Brier base rate"
          " | Brier persistence | log model | log base rate | log persistence |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for ep, res in rows:
        s = res.scores
        yes = sum(q["outcome"] for q in res.questions)
        print(f"| {ep.id} | {len(ep.cuts)} | {', '.join(map(str, ep.horizons))} | "
              f"{len(res.questions)} | {len(res.skipped)} | {yes} | "
              + " | ".join(f"{s[w]['brier']:.3f}" for w in FORECASTERS) + " | "
              + " | ".join(f"{s[w]['log']:.3f}" for w in FORECASTERS) + " |")
    for q in everything:  # pooled: one bootstrap group per (episode, cut)
        q["cut"] = f"{q['episode']} {q['cut']}"
    pooled = _score(everything, list[Skipped](), args.seed)
    s = pooled.scores
    print(f"| **all** | | | {len(everything)} | | {sum(q['outcome'] for q in everything)} | "
          + " | ".join(f"**{s[w]['brier']:.3f}**" for w in FORECASTERS) + " | "
          + " | ".join(f"**{s[w]['log']:.3f}**" for w in FORECASTERS) + " |")
    print("\nModel skill against each baseline (1 − S_model / S_baseline; 95% bootstrap over "
          "cuts, then questions):\n")
    print("| episode | Brier skill vs base rate | Brier skill vs persistence | log skill vs base rate"
          " | log skill vs persistence |")
    print("|---|---|---|---|---|")
    for label, res in [*((ep.id, res) for ep, res in rows), ("**all**", pooled)]:
        k = res.skill
        print(f"| {label} | {format_skill(k['base_rate']['brier'], 2)} | "
              f"{format_skill(k['persistence']['brier'], 2)} | {format_skill(k['base_rate']['log'], 2)} | "
              f"{format_skill(k['persistence']['log'], 2)} |")
    print("\nBy kind of question, all episodes pooled (Brier; n questions; observed rate):\n")
    print("| kind | n | observed rate | mean model forecast | model | base rate | persistence |")
    print("|---|---|---|---|---|---|---|")
    for kind, v in pooled.by_kind.items():
        f = np.mean([q["forecast"] for q in everything if q["kind"] == kind])
        print(f"| {kind} | {v['model']['n']} | {v['observed_rate']['mean']:.2f} | {f:.2f} | "
              + " | ".join(f"{v[w]['brier']:.3f}" for w in FORECASTERS) + " |")
    f_all = np.array([q["forecast"] for q in everything])
    print(f"\nShare of the model's forecasts below 0.05 or above 0.95: "
          f"{np.mean((f_all < 0.05) | (f_all > 0.95)):.0%} of {len(f_all)}; exactly 0 or 1: "
          f"{np.mean((f_all == 0) | (f_all == 1)):.0%}.")
    # Contested: what happened differs from what persistence says, i.e. the situation changed
    # in the window; a forecaster earns its keep there, not on pairs that cannot reach each other.
    changed = [q for q in everything if q["outcome"] != round(q["persistence"])]
    f_ch = np.array([q["forecast"] for q in changed])
    if len(f_ch):
        brier_ch = {w: np.mean([q[f"{w}_brier"] for q in changed]) for w in FORECASTERS}
        print(f"On the {len(changed)} contested questions (the outcome differs from persistence's "
              f"answer): {np.mean((f_ch < 0.05) | (f_ch > 0.95)):.0%} of the model's forecasts "
              "are below 0.05 or above 0.95; Brier "
              + ", ".join(f"{w} {brier_ch[w]:.3f}" for w in FORECASTERS) + ".")
        # Extreme is no fault when it is right: say how many of them were.
        y_ch = np.array([q["outcome"] for q in changed])
        extreme = (f_ch < 0.05) | (f_ch > 0.95)
        wrong = extreme & (np.abs(f_ch - y_ch) > 0.5)
        print(f"Of those extreme forecasts, {int(wrong.sum())} were on the wrong side and "
              f"{int((extreme & ~wrong).sum())} on the right one; {int((~extreme).sum())} forecasts "
              "were between 0.05 and 0.95.")
    print("\nThe model's most confident misses (|forecast − outcome| ≥ 0.9):\n")
    print("| episode | cut | days | question | model | happened |")
    print("|---|---|---|---|---|---|")
    misses = [q for q in everything if abs(q["forecast"] - q["outcome"]) >= 0.9]
    for q in sorted(misses, key=lambda q: (q["episode"], q["cut"], q["horizon_days"]))[:60]:
        print(f"| {q['episode']} | {q['cut'].split()[1]} | {q['horizon_days']} | {q['question']} | "
              f"{q['forecast']:.2f} | {'yes' if q['outcome'] else 'no'} |")
    print(f"\n{len(misses)} such misses of {len(everything)} questions.")
    first_answers(args.runs, args.seed)


if __name__ == "__main__":
    main()

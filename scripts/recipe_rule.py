#!/usr/bin/env python3
"""Issue 24's declared rule and acceptance, evaluated on the 50-epoch table's record.

The rule (docs/results.md, written before the runs): the candidates are the paper's recipe and the
paper's recipe with residual fusion, each `small` from scratch on the five sets, scaffold split
seeds 0-2, 50 epochs. The default is the candidate with the better mean validation metric on at
least three of the five sets; on fewer, the paper's recipe stays. Sets still running count for
neither side, and the script says whether the outcome can still change.

The norm-readout screen (declared later, also before its runs): residual fusion with the norm
readout replaces the residual candidate in the rule if its validation metric is better than the
residual candidate's on Tox21 split 0 and on ESOL (mean over splits 0-2). It failed.

The fingerprint screen (declared 2026-12-07, before its runs): residual fusion with the fingerprint
vector given to the head (`--fusion residual-fingerprints`) and the norm readout replaces the
residual candidate if its validation metric is better than both candidates' of the rule on Tox21
split 0 and on ESOL (mean over splits 0-2).

The acceptance: the default is ahead of chemprop's mean test metric on at least four of the five
sets, and on the others not behind by more than chemprop's seed spread (population std over splits).
It is read on splits 0-2, or on the splits --acceptance-splits names (declared 2026-12-07: 0-4, read
beside the three-split reading); the rule and the screens always use splits 0-2. --pretrained DIR reads
it also for the default started from DIR's encoders (declared 2026-12-07 for models/small-moses on
splits 0-4), paired with the same splits from scratch. Beside the acceptance's own columns, each set's
difference from chemprop paired by split file, with its 95% t interval: not part of the acceptance, it
says whether a gap is larger than the splits' noise.

    python3 scripts/recipe_rule.py [RESULTS.json] [CHEMPROP.csv] [--acceptance-splits 0,1,2,3,4]
                                   [--pretrained models/small-moses]
(defaults: docs/benchmarks/moleculenet-50ep/results.json, docs/benchmarks/chemprop.csv, 0,1,2)
Standard library only; prints Markdown.
"""
import argparse
import csv
import json
import statistics

SETS = ["bbbp", "bace", "tox21", "esol", "freesolv"]
SEEDS = [0, 1, 2]
EPOCHS = 50
# What the paper's recipe trains with (docs/finetune.md, "Recipes"); a run departing from any of
# these is another candidate's, not this rule's.
PAPER = {"globalBatchSize": 64, "learningRate": 0.001, "weightDecay": 0.001,
         "learningRateSchedule": {"constant": {}}, "precision": "float32"}
# Two-sided 95% quantiles of Student's t by degrees of freedom (paired intervals over split seeds).
T975 = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306, 9: 2.262}
PAPER_NAME, RESIDUAL, NORM = "paper", "paper + residual fusion", "paper + residual fusion + norm readout"
FINGERPRINTS = "paper + residual-fingerprints fusion + norm readout"
CANDIDATES = {PAPER_NAME: ("gated", "mean"), RESIDUAL: ("residual", "mean"), NORM: ("residual", "norm"),
              FINGERPRINTS: ("residual-fingerprints", "norm")}
# The screens in the order they were declared: a challenger, the candidates it must beat by
# validation, and the (set, split seeds) it is judged on. The last one passed replaces the
# residual candidate in the rule.
SCREENS = [("the norm-readout screen", NORM, [RESIDUAL]),
           ("the fingerprint screen", FINGERPRINTS, [PAPER_NAME, RESIDUAL])]
SCREEN_SETS = [("tox21", [0]), ("esol", SEEDS)]


def candidate(run, pretrained=None):
    """The candidate a run belongs to, or None: from scratch, or with pretrained encoders from the
    directory `pretrained` names."""
    variant = "pretrained" if pretrained else "no-pretraining"
    if run["variant"] != variant or run.get("pretrained") != pretrained:
        return None
    if run["split"] != "scaffold" or run["epochs"] != EPOCHS or run["preset"] != "small":
        return None
    h = dict(run["hyperparameters"])
    h.pop("model", None)
    if h.pop("recipe", "paper") != "paper" or h != PAPER:
        return None
    for name, key in CANDIDATES.items():
        if (run.get("fusion", "gated"), run.get("readout", "mean")) == key:
            return name
    return None


def higher_is_better(metric):
    return metric != "rmse"


def improvement(metric, ours, theirs):
    """How much better `ours` is than `theirs` (positive: better), for either direction of metric."""
    return ours - theirs if higher_is_better(metric) else theirs - ours


def mean(values):
    return statistics.fmean(values) if values else None


def fmt(value):
    return "—" if value is None else f"{value:.3f}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("results", nargs="?", default="docs/benchmarks/moleculenet-50ep/results.json")
    parser.add_argument("chemprop", nargs="?", default="docs/benchmarks/chemprop.csv")
    parser.add_argument("--acceptance-splits", default=",".join(map(str, SEEDS)))
    parser.add_argument("--pretrained", help="also read the acceptance for the default's runs started from this "
                        "directory's encoders (as results.json records --pretrained), and pair them with scratch")
    args = parser.parse_args()
    accepted = [int(k) for k in args.acceptance_splits.split(",")]
    runs = json.load(open(args.results))["runs"]
    every = {}   # (candidate, set) -> {seed: run}, every split seed
    metric = {}
    for run in runs:
        name = candidate(run)
        if name and run["dataset"] in SETS:
            every.setdefault((name, run["dataset"]), {})[run["seed"]] = run
            metric[run["dataset"]] = run["metric"]
    table = {key: {k: r for k, r in done.items() if k in SEEDS} for key, done in every.items()}
    chemprop = {}
    with open(args.chemprop) as f:
        for row in csv.DictReader(f):
            if row["protocol"] == "scaffold" and row["epochs"] == str(EPOCHS) and int(row["seed"]) in accepted:
                chemprop.setdefault(row["dataset"], {})[int(row["seed"])] = float(row["test_value"])
                metric.setdefault(row["dataset"], row["metric"])

    print("| set | metric | candidate | seeds | mean val | mean test ± std |")
    print("|---|---|---|---|---|---|")
    complete = {}
    for s in SETS:
        for name in CANDIDATES:
            done = table.get((name, s), {})
            vals = [done[k]["val"] for k in sorted(done)]
            tests = [done[k]["test"] for k in sorted(done)]
            complete[(name, s)] = len(done) == len(SEEDS)
            spread = f" ± {statistics.pstdev(tests):.3f}" if len(tests) > 1 else ""
            print(f"| {s} | {metric.get(s, '?')} | {name} | {','.join(map(str, sorted(done))) or '—'} | "
                  f"{fmt(mean(vals))} | {fmt(mean(tests))}{spread} |")

    # The screens, by validation only.
    def screen_val(name, s, seeds):
        done = table.get((name, s), {})
        return mean([done[k]["val"] for k in seeds]) if all(k in done for k in seeds) else None

    rival = RESIDUAL
    for title, challenger, opponents in SCREENS:
        verdicts = []
        for s, seeds in SCREEN_SETS:
            b = screen_val(challenger, s, seeds)
            for opponent in opponents:
                a = screen_val(opponent, s, seeds)
                better = None if a is None or b is None else improvement(metric[s], b, a) > 0
                verdicts.append(better)
                print(f"\n{title.capitalize()}, {s} split(s) {','.join(map(str, seeds))}: {challenger} val {fmt(b)} "
                      f"against {opponent}'s {fmt(a)}" + ("" if better is None else (": better" if better else ": not better")))
        passed = all(verdicts) if None not in verdicts else (False if False in verdicts else None)
        print(f"\n{title.capitalize()}: {'passed' if passed else 'failed' if passed is False else 'open'}.")
        if passed:
            rival = challenger

    # The rule, on the sets both candidates finished.
    paper = PAPER_NAME
    print(f"The rule below weighs {paper} against {rival}.")
    wins = {paper: [], rival: []}
    open_sets = []
    for s in SETS:
        if not (complete[(paper, s)] and complete[(rival, s)]):
            open_sets.append(s)
            continue
        a = mean([r["val"] for r in table[(paper, s)].values()])
        b = mean([r["val"] for r in table[(rival, s)].values()])
        better_b = improvement(metric[s], b, a) > 0
        wins[rival if better_b else paper].append(s)
    print()
    print(f"Better mean validation metric: {paper} on {', '.join(wins[paper]) or 'no set'}; "
          f"{rival} on {', '.join(wins[rival]) or 'no set'}; not decided yet: {', '.join(open_sets) or 'none'}.")
    if len(wins[rival]) >= 3:
        default = rival
        print(f"The rule: **{rival}** becomes the default (better on {len(wins[rival])} of 5 sets).")
    elif len(wins[rival]) + len(open_sets) < 3:
        default = paper
        print(f"The rule: **{paper}** stays the default ({rival} can reach at most "
              f"{len(wins[rival]) + len(open_sets)} of 5 sets).")
    else:
        default = None
        print("The rule: not decided until the open sets finish.")

    # Acceptance, for the default (or for both while undecided).
    for name in [default] if default else [paper, rival]:
        print()
        print(f"Against chemprop 2.3.1 at {EPOCHS} epochs ({name}), splits {','.join(map(str, accepted))}:")
        acceptance({s: every.get((name, s), {}) for s in SETS}, accepted, chemprop, metric)

    if args.pretrained:
        shipped = {}
        for run in runs:
            if candidate(run, pretrained=args.pretrained) == FINGERPRINTS and run["dataset"] in SETS:
                shipped.setdefault(run["dataset"], {})[run["seed"]] = run
        print()
        print(f"Against chemprop 2.3.1 at {EPOCHS} epochs ({FINGERPRINTS}, encoders from {args.pretrained}), "
              f"splits {','.join(map(str, accepted))}:")
        acceptance(shipped, accepted, chemprop, metric)
        print()
        print(f"Paired with the same splits from scratch (+: the shipped encoders better), splits "
              f"{','.join(map(str, accepted))}:")
        print()
        print("| set | splits | mean val, shipped (scratch) | mean test, shipped (scratch) | paired test improvement, 95% t interval |")
        print("|---|---|---|---|---|")
        for s in SETS:
            ours, theirs = shipped.get(s, {}), every.get((FINGERPRINTS, s), {})
            both = [k for k in accepted if k in ours and k in theirs]
            if not both:
                continue
            interval = paired_interval([improvement(metric[s], ours[k]["test"], theirs[k]["test"]) for k in both])
            print(f"| {s} | {','.join(map(str, both))} | {mean([ours[k]['val'] for k in both]):.3f} "
                  f"({mean([theirs[k]['val'] for k in both]):.3f}) | {mean([ours[k]['test'] for k in both]):.3f} "
                  f"({mean([theirs[k]['test'] for k in both]):.3f}) | {interval} |")


def paired_interval(gains):
    """Mean of paired differences and its 95% t interval, as text ("" for fewer than two)."""
    if len(gains) < 2:
        return ""
    centre = statistics.fmean(gains)
    half = T975[len(gains) - 1] * statistics.stdev(gains) / len(gains) ** 0.5
    return f"{centre:+.3f} [{centre - half:+.3f}, {centre + half:+.3f}]"


def acceptance(runs, accepted, chemprop, metric):
    """Prints the acceptance table and verdict for `runs` (set -> {split seed: run})."""
    print()
    print("| set | lgmcl mean test | chemprop mean test ± std | lgmcl − chemprop (+: ahead) | within chemprop's spread "
          "| paired by split, 95% t interval |")
    print("|---|---|---|---|---|---|")
    ahead = behind_within = behind_beyond = 0
    missing = []
    for s in SETS:
        done = {k: r for k, r in runs.get(s, {}).items() if k in accepted}
        theirs = chemprop.get(s, {})
        if len(done) < len(accepted) or len(theirs) < len(accepted):
            missing.append(s)
            print(f"| {s} | {fmt(mean([r['test'] for r in done.values()]))} ({len(done)} of {len(accepted)}) | "
                  f"{fmt(mean(list(theirs.values())))} ({len(theirs)} of {len(accepted)}) | | | |")
            continue
        ours = mean([r["test"] for r in done.values()])
        their_mean, their_std = mean(list(theirs.values())), statistics.pstdev(list(theirs.values()))
        lead = improvement(metric[s], ours, their_mean)
        if lead > 0:
            ahead += 1
        elif -lead <= their_std:
            behind_within += 1
        else:
            behind_beyond += 1
        paired = paired_interval([improvement(metric[s], done[k]["test"], theirs[k]) for k in sorted(done)])
        print(f"| {s} | {ours:.3f} | {their_mean:.3f} ± {their_std:.3f} | {lead:+.3f} | "
              f"{'ahead' if lead > 0 else ('yes' if -lead <= their_std else 'no')} | {paired} |")
    verdict = ("met" if ahead >= 4 and behind_beyond == 0 and not missing
               else "not met" if behind_beyond > 0 or ahead + len(missing) < 4 else "open")
    print()
    print(f"Ahead on {ahead}, behind within the spread on {behind_within}, behind beyond it on {behind_beyond}, "
          f"unfinished {len(missing)}: acceptance **{verdict}**.")


if __name__ == "__main__":
    main()

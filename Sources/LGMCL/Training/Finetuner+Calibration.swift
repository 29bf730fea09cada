import Foundation
import Logging

/// One seed's predictions on a part of the split, in the labels' units: probabilities or values,
/// and a mean–variance head's variances.
struct SeedPrediction {
    var mean: TaskMatrix
    var variance: TaskMatrix?
}

/// The calibration at the end of `finetune`: fitted on the validation split the seeds share, from
/// the prediction `predict` makes (the seeds' mean and its uncertainty), and reported on the test
/// split before and after.
extension Finetuner {
    func calibrate(_ seeds: [[SplitPart: SeedPrediction]], split: DatasetSplit,
                   data: LabelledData) throws -> (calibration: Calibration, report: CalibrationReport?)? {
        guard !split.val.isEmpty else { return nil }
        let method = settings.probabilityCalibration ?? .platt
        func ensemble(_ part: SplitPart) -> EnsemblePrediction {
            EnsemblePrediction(members: seeds.map { $0[part]!.mean }, predictedVariances: seeds.compactMap { $0[part]!.variance })
        }
        let val = ensemble(.val)
        let calibration = Calibration(kind: data.kind, method: method, taskNames: data.dataset.taskNames, mean: val.mean,
                                      variance: val.variance, source: val.source, labels: data.labels.selecting(rows: split.val),
                                      fittedOn: "val split (\(split.val.count) molecules)")
        guard !split.test.isEmpty else { return (calibration, nil) }
        let described = data.kind == .classification
            ? method.rawValue
            : (calibration.uncertainty == .none ? "" : "z-scaling and ") + "split-conformal intervals"
              + (calibration.uncertainty == .none ? " (|error| scores: no per-molecule uncertainty)" : " (|error| / σ scores)")
        let report = CalibrationReport(kind: data.kind, calibration: calibration, method: described, prediction: ensemble(.test),
                                       labels: data.labels.selecting(rows: split.test), evaluatedOn: "test split")
        if world.isRoot { for line in report.summaryLines { logger.info("\(line)") } }
        return (calibration, report)
    }

    func writeCalibration(_ calibrated: (calibration: Calibration, report: CalibrationReport?), kind: TaskKind) throws {
        try directory.replace(directory.calibration, withJSON: calibrated.calibration)
        if kind == .classification, let report = calibrated.report {
            try directory.replace(directory.reliabilityPlot, with: Data(ReliabilityPlot(report).svg().utf8))
        }
    }
}

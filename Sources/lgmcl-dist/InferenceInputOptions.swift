import ArgumentParser
import Distributed
import Foundation
import LGMCL

/// `--precision` of `embed` and `predict`: the weights are Float32 either way.
enum InferencePrecision: String, ExpressibleByArgument {
    case float32
    case bf16Mixed = "bf16-mixed"
}

/// The molecules `embed` and `predict` run a trained model on, the columns they are read from,
/// and the batches they go through the model in.
struct InferenceInputOptions: ParsableArguments {
    @Option(help: "Molecules: a CSV file with a header row (embed also takes a dataset written by `lgmcl-dist preprocess`, .h5).")
    var input: String

    @Option(help: "The SMILES column of a CSV input (default: the column a fine-tuned model was trained with, else the column named smiles in any letter case).")
    var smilesColumn: String?

    @Option(help: "Take descriptions from this CSV column instead of generating them (default: the column a fine-tuned model was trained with).")
    var descriptionColumn: String?

    @Option(help: "Molecules per batch on each rank.")
    var batchSizePerRank = 32

    @Option(help: "Matrix products: float32, or bf16-mixed (operands rounded to bfloat16, Float32 sums; about twice as fast on CPUs with AVX512_BF16, values move in the third significant digit).")
    var precision: InferencePrecision = .float32

    var matrixProducts: MatrixProducts { precision == .bf16Mixed ? .bfloat16 : .float32 }

    func validate() throws {
        guard batchSizePerRank > 0 else { throw ValidationError("--batch-size-per-rank must be positive") }
        try validateMatrixProducts(matrixProducts)
    }

    /// The CSV columns to read: the ones given, else the ones a fine-tuned model was trained with.
    func columns(for model: InferenceModel) throws -> (smiles: String?, description: String?) {
        try model.inputColumns(smiles: smilesColumn, description: descriptionColumn)
    }

    /// One pass over `molecules`, with token sequences cut as `model` was trained.
    func pass(over molecules: InferenceInput, model: InferenceModel, world: Communicator) -> InferencePass {
        let c = model.configuration.text
        return InferencePass(dataset: molecules.dataset,
                             options: BatchOptions(maxSMILESTokens: c.maxSMILESTokens, maxDescriptionTokens: c.maxDescriptionTokens),
                             globalBatchSize: batchSizePerRank * world.size)
    }
}

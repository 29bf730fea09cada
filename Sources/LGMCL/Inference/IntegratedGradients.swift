import Foundation

/// Integrated gradients (Sundararajan, Taly & Yan 2017) of the fine-tuning model's task outputs
/// with respect to a molecule's atom features and fingerprint bits together, from the baseline
/// where both are zero (bonds and texts held at their values):
///
///   attribution_i = x_i · ∫₀¹ ∂f(αx)/∂x_i dα,   Σ_i attribution_i ≈ f(x) − f(0)  (completeness)
///
/// The integral is Gauss–Legendre quadrature with `steps` points on [0, 1], Captum's default
/// method. The steps run as one batch: `steps` copies of the molecule, copy k's inputs scaled by
/// αₖ, each task's Σₖ wₖ f(αₖx) backpropagated through the tape to the scaled inputs.
public struct IntegratedGradients {
    public let steps: Int
    /// Quadrature points αₖ in (0, 1) and weights wₖ (summing to 1).
    public let nodes: [(alpha: Double, weight: Double)]

    public init(steps: Int) {
        precondition(steps >= 1, "IntegratedGradients: at least one step")
        self.steps = steps
        nodes = Self.gaussLegendre(steps).map { (0.5 * (1 + $0.x), 0.5 * $0.w) }
    }

    /// One task's attributions for one molecule.
    public struct Attribution: Sendable {
        /// Per atom: the sum of its atom features' attributions.
        public var atoms: [Double]
        /// Per fingerprint bit (MACCS, PubChem, ErG in the dataset's order).
        public var fingerprints: [Double]
        /// f(x) and f(baseline), the task output (logit, or standardized value).
        public var output: Double
        public var baseline: Double
        /// Per atom feature (atoms × features), before summing over the features.
        public var atomFeatures: [Double]

        /// What the quadrature leaves of f(x) − f(baseline) unexplained.
        public var residual: Double { output - baseline - atoms.reduce(0, +) - fingerprints.reduce(0, +) }
    }

    /// The attributions of every task for the single molecule of `inputs`.
    public func attribute<Scalar: TensorScalar>(_ model: LGMCLModel<Scalar>, molecule inputs: ModelInputs) -> [Attribution] {
        precondition(inputs.graph.moleculeCount == 1, "IntegratedGradients: one molecule at a time, not \(inputs.graph.moleculeCount)")
        let tasks = model.configuration.fusion.tasks
        let atoms = inputs.graph.atomFeatures.map { Scalar($0) }, bits = inputs.fingerprints.map { Scalar($0) }
        let copies = inputs.repeated(steps)
        func outputs(scale: Double) -> [Scalar] {
            Tape.withoutGradients {
                model.predictions(graph: inputs.graph, atomFeatures: Tensor(atoms.map { $0 * Scalar(scale) }, shape: [inputs.graph.atomCount, inputs.graph.atomFeatureCount]),
                                  smiles: inputs.smiles, descriptions: inputs.descriptions,
                                  fingerprints: Tensor(bits.map { $0 * Scalar(scale) }, shape: [1, bits.count])).predictions.scalars
            }
        }
        let full = outputs(scale: 1), empty = outputs(scale: 0)
        return (0 ..< tasks).map { task in
            let scaledAtoms = Tensor(nodes.flatMap { node in atoms.map { $0 * Scalar(node.alpha) } },
                                     shape: [steps * inputs.graph.atomCount, inputs.graph.atomFeatureCount]).requiringGradient()
            let scaledBits = Tensor(nodes.flatMap { node in bits.map { $0 * Scalar(node.alpha) } }, shape: [steps, bits.count]).requiringGradient()
            let predictions = model.predictions(graph: copies.graph, atomFeatures: scaledAtoms, smiles: copies.smiles,
                                                descriptions: copies.descriptions, fingerprints: scaledBits).predictions
            var weights = [Scalar](repeating: 0, count: steps * tasks)
            for (k, node) in nodes.enumerated() { weights[k * tasks + task] = Scalar(node.weight) }
            (predictions * Tensor(weights, shape: [steps, tasks])).sum().backward()
            let atomGradient = scaledAtoms.gradient?.scalars ?? [], bitGradient = scaledBits.gradient?.scalars ?? []
            func integrated(_ x: [Scalar], _ gradient: [Scalar]) -> [Double] {
                guard !gradient.isEmpty else { return Array(repeating: 0, count: x.count) }
                return x.indices.map { i in Double(x[i]) * (0 ..< steps).reduce(0.0) { $0 + Double(gradient[$1 * x.count + i]) } }
            }
            let perFeature = integrated(atoms, atomGradient), width = inputs.graph.atomFeatureCount
            return Attribution(atoms: (0 ..< inputs.graph.atomCount).map { a in perFeature[a * width ..< (a + 1) * width].reduce(0, +) },
                               fingerprints: integrated(bits, bitGradient), output: Double(full[task]), baseline: Double(empty[task]),
                               atomFeatures: perFeature)
        }
    }

    /// The n-point Gauss–Legendre rule on [−1, 1]: the roots of Pₙ by Newton's method from
    /// cos(π(i − ¼)/(n + ½)), weights 2 / ((1 − x²) Pₙ′(x)²); ascending, as numpy's leggauss.
    static func gaussLegendre(_ n: Int) -> [(x: Double, w: Double)] {
        (1 ... n).map { i -> (x: Double, w: Double) in
            var x = cos(Double.pi * (Double(i) - 0.25) / (Double(n) + 0.5)), derivative = 0.0
            for _ in 0 ..< 100 {
                // P_n(x) and P_n'(x) by the three-term recurrence.
                var previous = 1.0, current = x
                for k in stride(from: 2, through: n, by: 1) {
                    let next = (Double(2 * k - 1) * x * current - Double(k - 1) * previous) / Double(k)
                    previous = current
                    current = next
                }
                derivative = Double(n) * (x * current - previous) / (x * x - 1)
                let step = current / derivative
                x -= step
                if abs(step) < 1e-16 { break }
            }
            return (x, 2 / ((1 - x * x) * derivative * derivative))
        }.reversed()
    }
}

extension ModelInputs {
    /// `count` copies of these molecules, one after another (the graph's atoms renumbered per copy).
    func repeated(_ count: Int) -> ModelInputs {
        let g = graph, atomsPerCopy = g.atomCount
        let edges = (0 ..< count).flatMap { copy in g.edgeIndex.map { $0 + Int32(copy * atomsPerCopy) } }
        let offsets = [0] + (0 ..< count).flatMap { copy in g.atomOffsets.dropFirst().map { $0 + copy * atomsPerCopy } }
        func tokens(_ t: TokenInput) -> TokenInput {
            TokenInput(ids: Array(repeating: t.ids, count: count).flatMap { $0 }, mask: Array(repeating: t.mask, count: count).flatMap { $0 },
                       rows: t.rows * count, length: t.length, moleculeIndices: Array(repeating: t.moleculeIndices, count: count).flatMap { $0 })
        }
        return ModelInputs(
            graph: GraphInput(atomFeatures: Array(repeating: g.atomFeatures, count: count).flatMap { $0 }, atomFeatureCount: g.atomFeatureCount,
                              edgeIndex: edges, bondFeatures: Array(repeating: g.bondFeatures, count: count).flatMap { $0 },
                              bondFeatureCount: g.bondFeatureCount, atomOffsets: offsets,
                              moleculeIndices: Array(repeating: g.moleculeIndices, count: count).flatMap { $0 }),
            smiles: tokens(smiles), descriptions: tokens(descriptions),
            fingerprints: Array(repeating: fingerprints, count: count).flatMap { $0 })
    }
}

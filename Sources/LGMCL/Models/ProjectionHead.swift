/// The contrastive projection heads: Linear–act–Dropout–…–Linear. The graph head (ReLU; shared by
/// the local and global vectors) is the authors' `projection_head`, the text head (GELU; shared by
/// SMILES and description) their `MLPHead`. The Linear layers keep their `nn.Sequential` indices
/// (0, 3, 6, …) as state-dict names.
public final class ProjectionHead<Scalar: TensorScalar>: Module, StateDictNamed {
    public enum Activation: Sendable { case relu, gelu }

    let activation: Activation
    let linears: [Linear<Scalar>]
    /// After each Linear but the last.
    let dropouts: [Dropout<Scalar>]

    static var stateDictNames: [String: String] { ["linears": ""] }
    static var stateDictIndexStride: [String: Int] { ["linears": 3] }

    init(_ configuration: ProjectionHeadConfiguration, activation: Activation, site: DropoutSite.Component) {
        self.activation = activation
        let sizes = [configuration.input] + configuration.hidden + [configuration.output]
        linears = (0..<(sizes.count - 1)).map { Linear(sizes[$0], sizes[$0 + 1]) }
        dropouts = configuration.hidden.indices.map { Dropout(configuration.dropout, at: DropoutSite(site, layer: $0)) }
    }

    /// `x`: M × input, one row per molecule; `molecules`: their global indices.
    func callAsFunction(_ x: Tensor<Scalar>, molecules: [Int], _ stream: RandomStream?) -> Tensor<Scalar> {
        var y = x
        let rows = MoleculeRows.molecules(molecules)
        for (i, linear) in linears.enumerated() {
            y = linear(y)
            guard i < linears.count - 1 else { break }
            y = activation == .relu ? y.relu() : y.gelu()
            y = dropouts[i](y, stream, rows: rows)
        }
        return y
    }
}

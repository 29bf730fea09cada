/// The fingerprint network (`FPN.MLP` in the authors' model.py): MACCS ‖ PubChem ‖ ErG (1489) →
/// Linear → Dropout → ReLU → Linear.
public final class FingerprintMLP<Scalar: TensorScalar>: Module, StateDictNamed {
    let hidden: Linear<Scalar>
    let hiddenDropout: Dropout<Scalar>
    let output: Linear<Scalar>

    static var stateDictNames: [String: String] { ["hidden": "MLP.0", "output": "MLP.3"] }

    init(_ configuration: FusionConfiguration) {
        hidden = Linear(configuration.fingerprintFeatures, configuration.fingerprintHidden)
        hiddenDropout = Dropout(configuration.fingerprintDropout, at: DropoutSite(.fingerprints))
        output = Linear(configuration.fingerprintHidden, configuration.fingerprintOutput)
    }

    /// `fingerprints`: M × 1489.
    func callAsFunction(_ fingerprints: Tensor<Scalar>, molecules: [Int], _ stream: RandomStream?) -> Tensor<Scalar> {
        let rows = MoleculeRows.molecules(molecules)
        let h = hiddenDropout(hidden(fingerprints), stream, rows: rows)
        return output(h.relu())
    }
}

/// Dropout at one place of a model, stored there like its other layers. `site` keys the masks
/// together with the step and the molecule, so it is unique within the model (two places with one
/// site would drop the same units); pass the step's `RandomStream` while training, nil in evaluation.
public final class Dropout<Scalar: TensorScalar>: Module {
    public let rate: Scalar
    public let site: UInt32

    public init(_ rate: Scalar, site: UInt32) {
        self.rate = rate
        self.site = site
    }

    public func callAsFunction(_ x: Tensor<Scalar>, _ stream: RandomStream?, rows: MoleculeRows) -> Tensor<Scalar> {
        dropout(x, rate: rate, stream: stream, site: site, rows: rows)
    }
}

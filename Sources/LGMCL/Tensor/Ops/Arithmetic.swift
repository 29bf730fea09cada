// Operator spellings of the broadcasting binary op; scalars broadcast as 0-d tensors.
extension Tensor {
    public static func + (a: Tensor, b: Tensor) -> Tensor { binary(.add, a, b) }
    public static func - (a: Tensor, b: Tensor) -> Tensor { binary(.subtract, a, b) }
    public static func * (a: Tensor, b: Tensor) -> Tensor { binary(.multiply, a, b) }
    public static func / (a: Tensor, b: Tensor) -> Tensor { binary(.divide, a, b) }

    public static func + (a: Tensor, b: Scalar) -> Tensor { binary(.add, a, Tensor(b)) }
    public static func - (a: Tensor, b: Scalar) -> Tensor { binary(.subtract, a, Tensor(b)) }
    public static func * (a: Tensor, b: Scalar) -> Tensor { binary(.multiply, a, Tensor(b)) }
    public static func / (a: Tensor, b: Scalar) -> Tensor { binary(.divide, a, Tensor(b)) }
    public static func + (a: Scalar, b: Tensor) -> Tensor { binary(.add, Tensor(a), b) }
    public static func - (a: Scalar, b: Tensor) -> Tensor { binary(.subtract, Tensor(a), b) }
    public static func * (a: Scalar, b: Tensor) -> Tensor { binary(.multiply, Tensor(a), b) }
    public static func / (a: Scalar, b: Tensor) -> Tensor { binary(.divide, Tensor(a), b) }

    public static prefix func - (x: Tensor) -> Tensor { x.pointwise(.negate) }
}

/// NumPy broadcasting of two shapes: trailing dimensions aligned, size-1 dimensions stretched.
/// Kernels walk the output one row (last dimension) at a time with per-input element strides,
/// a stride of 0 meaning "repeat"; the inner loops are then simple strided loops.
struct Broadcast {
    let shape: [Int]
    let stridesA: [Int]
    let stridesB: [Int]

    init(_ a: [Int], _ b: [Int]) {
        let rank = max(a.count, b.count, 1)
        let pa = Array(repeating: 1, count: rank - a.count) + a
        let pb = Array(repeating: 1, count: rank - b.count) + b
        var shape = [Int](repeating: 1, count: rank)
        for d in 0..<rank {
            precondition(pa[d] == pb[d] || pa[d] == 1 || pb[d] == 1,
                         "shapes \(a) and \(b) do not broadcast (axis \(d): \(pa[d]) vs \(pb[d]))")
            shape[d] = pa[d] == 1 ? pb[d] : pa[d]
        }
        self.shape = shape
        stridesA = Broadcast.strides(pa, stretchedTo: shape)
        stridesB = Broadcast.strides(pb, stretchedTo: shape)
    }

    static func strides(_ shape: [Int], stretchedTo target: [Int]) -> [Int] {
        var strides = [Int](repeating: 0, count: shape.count)
        var step = 1
        for d in stride(from: shape.count - 1, through: 0, by: -1) {
            strides[d] = shape[d] == 1 && target[d] != 1 ? 0 : step
            step *= shape[d]
        }
        return strides
    }

    var count: Int { shape.reduce(1, *) }

    /// Calls `body(outputOffset, aOffset, bOffset, rowLength, aStride, bStride)` per output row.
    @inline(__always)
    func forEachRow(_ body: (Int, Int, Int, Int, Int, Int) -> Void) {
        let rank = shape.count
        let n = shape[rank - 1]
        let total = count
        guard total > 0 else { return }
        let sa = stridesA[rank - 1], sb = stridesB[rank - 1]
        var index = [Int](repeating: 0, count: rank)
        var offA = 0, offB = 0, out = 0
        while out < total {
            body(out, offA, offB, n, sa, sb)
            out += n
            var d = rank - 2
            while d >= 0 {
                index[d] += 1
                offA += stridesA[d]
                offB += stridesB[d]
                if index[d] < shape[d] { break }
                offA -= stridesA[d] * shape[d]
                offB -= stridesB[d] * shape[d]
                index[d] = 0
                d -= 1
            }
        }
    }
}

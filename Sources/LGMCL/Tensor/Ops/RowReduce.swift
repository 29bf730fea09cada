/// combine(…combine(initial, term(0))…, term(n − 1)) with eight partial results combined at the
/// end. Why: a single running sum or max is a chain of dependent operations that the compiler may
/// not reorder (it would change the rounding), so it runs one element per add latency; eight
/// independent chains vectorise. The rounding differs from a running sum, not its accuracy.
@inline(__always)
func rowReduce<S: TensorScalar>(_ n: Int, _ initial: S, _ term: (Int) -> S, _ combine: (S, S) -> S) -> S {
    var a0 = initial, a1 = initial, a2 = initial, a3 = initial
    var a4 = initial, a5 = initial, a6 = initial, a7 = initial
    var i = 0
    while i + 8 <= n {
        a0 = combine(a0, term(i)); a1 = combine(a1, term(i + 1))
        a2 = combine(a2, term(i + 2)); a3 = combine(a3, term(i + 3))
        a4 = combine(a4, term(i + 4)); a5 = combine(a5, term(i + 5))
        a6 = combine(a6, term(i + 6)); a7 = combine(a7, term(i + 7))
        i += 8
    }
    var result = combine(combine(combine(a0, a1), combine(a2, a3)), combine(combine(a4, a5), combine(a6, a7)))
    while i < n { result = combine(result, term(i)); i += 1 }
    return result
}

import LGMCL
import Testing

struct RetrievalTests {
    @Test func identicalViewsRetrievePerfectly() {
        // Four distinct directions: each A row is its own B row, scaled (cosine ignores scale).
        let a: [Float] = [1, 0, 0, 1, 1, 1, -1, 0]
        let b = a.map { $0 * 3 }
        let accuracy = RetrievalAccuracy(a: a, b: b, count: 4, dimension: 2)
        #expect(accuracy.top1 == 1)
        #expect(accuracy.top5 == 1)
    }

    @Test func swappedPartnersAreMissesAtTop1() {
        // Molecules 0 and 1 have each other's B view: 2 of 3 miss at top-1, all hit at top-5.
        let a: [Float] = [1, 0, 0, 1, -1, -1]
        let b: [Float] = [0, 1, 1, 0, -1, -1]
        let accuracy = RetrievalAccuracy(a: a, b: b, count: 3, dimension: 2)
        #expect(accuracy.top1 == 1.0 / 3.0)
        #expect(accuracy.top5 == 1)
    }
}

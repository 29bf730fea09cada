import Distributed
import LGMCL
import Testing

/// On one rank the global-batch NT-Xent must be the plain NT-Xent of the whole batch; the
/// multi-rank equivalence is checked end to end by the pretraining tests under mpirun.
struct GlobalBatchTests {
    @Test func oneRankEqualsThePlainLoss() throws {
        let world = Communicator.world
        guard world.size == 1 else { return }
        Initialization.seed(3)
        let a = Initialization.normal([5, 4], std: 1.0 as Double).requiringGradient()
        let b = Initialization.normal([5, 4], std: 1.0 as Double).requiringGradient()
        let distributed = try globalBatchNTXent(a, b, temperature: 0.1, world: world)
        distributed.backward()
        let ga = a.gradient!.scalars, gb = b.gradient!.scalars

        let a2 = a.detached().requiringGradient(), b2 = b.detached().requiringGradient()
        let plain = ntXentLoss(a2, b2, temperature: 0.1)
        plain.backward()
        let (d, p) = (distributed.item(), plain.item())
        #expect(Swift.abs(d - p) <= 1e-12 + 1e-12 * Swift.abs(p))
        for (x, y) in zip(ga + gb, a2.gradient!.scalars + b2.gradient!.scalars) {
            #expect(Swift.abs(x - y) <= 1e-12 + 1e-10 * Swift.abs(y))
        }
        #expect(distributed.item().isFinite)
    }
}

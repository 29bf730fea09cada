import Foundation

/// Test-only fault injection: `LGMCL_FAULT=rank:1,step:7,kind:exit|kill|hang|nan[,phase:NAME]`
/// makes rank 1 fail at step 7 (in the named phase, default "step"), so tests can show that
/// crashes, kills, hangs and NaNs end the job cleanly. `kind:sleep,seconds:N` makes that step N
/// seconds slower instead, so a stop signal lands inside a long step without timing luck; with
/// `until:T` every step from S to T is (a run slow enough for a time limit on any machine).
public struct Fault: Sendable, Equatable {
    public enum Kind: String, Sendable { case exit, kill, hang, nan, sleep }

    public let rank: Int
    public let step: Int
    public let kind: Kind
    public let phase: String
    /// How long `sleep` sleeps, and the last step it sleeps in (`until`, default `step`).
    public let seconds: Double
    public let lastStep: Int

    /// The fault configured in the environment, if any. A malformed value is an error rather
    /// than a silently healthy run.
    public static func fromEnvironment() throws -> Fault? {
        guard let text = ProcessInfo.processInfo.environment["LGMCL_FAULT"], !text.isEmpty else { return nil }
        return try Fault(parsing: text)
    }

    public init(parsing text: String) throws {
        var fields: [String: String] = [:]
        for item in text.split(separator: ",") {
            let pair = item.split(separator: ":", maxSplits: 1).map(String.init)
            guard pair.count == 2 else { throw LaunchError(description: "LGMCL_FAULT: '\(item)' is not key:value") }
            fields[pair[0]] = pair[1]
        }
        guard let rank = fields["rank"].flatMap(Int.init), let step = fields["step"].flatMap(Int.init),
              let kind = fields["kind"].flatMap(Kind.init(rawValue:))
        else {
            throw LaunchError(description: "LGMCL_FAULT='\(text)': expected rank:R,step:S,kind:exit|kill|hang|nan|sleep[,phase:P][,seconds:N]")
        }
        lastStep = fields["until"].flatMap(Int.init) ?? step
        if kind == .sleep {
            guard let seconds = fields["seconds"].flatMap(Double.init), seconds > 0 else {
                throw LaunchError(description: "LGMCL_FAULT='\(text)': kind:sleep needs seconds:N (N > 0)")
            }
            self.seconds = seconds
        } else {
            seconds = 0
        }
        self.rank = rank
        self.step = step
        self.kind = kind
        phase = fields["phase"] ?? "step"
    }

    /// Fires the fault if it is due here. Returns true for `nan` (the caller poisons its loss);
    /// the other kinds do not return.
    public func fire(rank: Int, size: Int, step: Int, phase: String) -> Bool {
        let due = kind == .sleep ? (self.step ... max(self.step, lastStep)).contains(step) : step == self.step
        guard rank == self.rank, due, phase == self.phase else { return false }
        switch kind {
        case .exit:
            Environment.printError("injected fault: exiting at step \(step) (\(phase))", rank: rank, size: size)
            RankErrorLog.finish()
            _exit(1)
        case .kill:
            kill(getpid(), SIGKILL)
        case .hang:
            while true { sleep(1000) }
        case .nan:
            return true
        case .sleep:
            if step == self.step {
                Environment.printError("injected fault: step \(step) (\(phase)) sleeps \(seconds) s"
                                       + (lastStep > self.step ? ", and every step to \(lastStep)" : ""), rank: rank, size: size)
            }
            // In short slices until the end time: a handled signal cuts one sleep short, and the
            // point is a step that stays slow whatever arrives meanwhile.
            let end = Date().addingTimeInterval(seconds)
            while case let left = end.timeIntervalSinceNow, left > 0 { usleep(useconds_t(min(left, 0.2) * 1e6)) }
        }
        return false
    }
}

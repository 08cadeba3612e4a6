import Scheduling
import Testing

@Suite("FairTurns: weighted turns between inboxes, round-robin between subfolders")
struct FairTurnsTests {
    /// Takes `count` turns among `waiting` and returns how many each share got.
    private func take(_ count: Int, among waiting: [QueueShare], weights: [String: Int] = [:], turns: inout FairTurns) -> [QueueShare: Int] {
        var taken: [QueueShare: Int] = [:]
        for _ in 0..<count {
            guard let share = turns.next(among: waiting) else { break }
            turns.charge(share, weight: weights[share.inbox] ?? 1)
            taken[share, default: 0] += 1
        }
        return taken
    }

    @Test("two busy inboxes alternate, whatever their backlogs")
    func alternate() throws {
        var turns = FairTurns()
        let a = QueueShare(inbox: "a")
        let b = QueueShare(inbox: "b")
        var order: [String] = []
        for _ in 0..<6 {
            let next = turns.next(among: [a, b])
            let share = try #require(next)
            turns.charge(share, weight: 1)
            order.append(share.inbox)
        }
        #expect(order == ["a", "b", "a", "b", "a", "b"])
    }

    @Test("weights split the turns in proportion")
    func weights() {
        var turns = FairTurns()
        let taken = take(
            400,
            among: [QueueShare(inbox: "a"), QueueShare(inbox: "b"), QueueShare(inbox: "c")],
            weights: ["a": 3, "b": 1, "c": 4],
            turns: &turns
        )
        #expect(taken[QueueShare(inbox: "a")] == 150)
        #expect(taken[QueueShare(inbox: "b")] == 50)
        #expect(taken[QueueShare(inbox: "c")] == 200)
    }

    @Test("a share that starts waiting after a long run of another's turns goes next, and then they alternate")
    func newcomerGoesNext() {
        var turns = FairTurns()
        let a = QueueShare(inbox: "a")
        let b = QueueShare(inbox: "b")
        _ = take(1000, among: [a], turns: &turns)
        #expect(turns.next(among: [a, b]) == b)
        turns.charge(b, weight: 1)
        // The newcomer starts level with the busy inbox: no thousand turns of catching up.
        let taken = take(10, among: [a, b], turns: &turns)
        #expect(taken[a] == 5 && taken[b] == 5)
    }

    @Test("subfolders of one inbox take turns among themselves within the inbox's share")
    func subfolders() {
        var turns = FairTurns()
        let alice = QueueShare(inbox: "team", subfolder: "alice")
        let bob = QueueShare(inbox: "team", subfolder: "bob")
        let top = QueueShare(inbox: "team", subfolder: "")
        let other = QueueShare(inbox: "other")
        let taken = take(120, among: [alice, bob, top, other], turns: &turns)
        // The inbox "team" and the inbox "other" split evenly; team's half is split among its three folders.
        #expect(taken[other] == 60)
        #expect(taken[alice] == 20 && taken[bob] == 20 && taken[top] == 20)
    }

    @Test("nothing waiting, no turn")
    func empty() {
        var turns = FairTurns()
        #expect(turns.next(among: []) == nil)
    }
}

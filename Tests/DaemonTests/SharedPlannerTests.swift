import Clocks
import FacedropTestSupport
import Foundation
import Scheduling
import Synchronization
import Testing

@testable import Daemon

/// What a wait on the planner answered, once it has.
private final class Answer: Sendable {
    private let value = Mutex<Bool?>(nil)
    func set(_ answer: Bool) { value.withLock { $0 = answer } }
    var answer: Bool? { value.withLock { $0 } }
}

/// A planner on a test clock and a task waiting 30 s on it for a change, once the wait's timer sleeps.
private func waitingJob() async -> (clock: TestClock<Duration>, planner: SharedPlanner, answer: Answer, task: Task<Void, Never>) {
    let clock = TestClock()
    let planner = SharedPlanner(PollPlanner(expectedRunTimes: ["pulid-lightning": .seconds(210.8)]), clock: clock)
    let answer = Answer()
    let revision = planner.revision
    let task = Task { answer.set(await planner.waitForChange(after: revision, upTo: .seconds(30))) }
    #expect(await clock.waitForSleeper())
    return (clock, planner, answer, task)
}

@Suite("The planner jobs share: a finished job wakes the waiting ones to plan again")
struct SharedPlannerTests {
    @Test("a job that finishes ends every wait at once, with the new estimate in place")
    func learningWakes() async {
        let (_, planner, answer, _) = await waitingJob()
        planner.learn(model: "pulid-lightning", size: WorkSize(bucket: 20), runTime: .seconds(2), queueTime: nil)
        #expect(await eventually { answer.answer == true })
        #expect(planner.planner.estimate(model: "pulid-lightning", size: WorkSize(bucket: 20)).basis == .measured)
    }

    @Test("a wait with nothing learned ends at its time, unchanged, not before")
    func timesOut() async {
        let (clock, _, answer, _) = await waitingJob()
        await clock.advance(by: .seconds(30) - .milliseconds(1))
        #expect(!(await eventually(timeout: .milliseconds(50)) { answer.answer != nil }), "the wait ended early")
        await clock.advance(by: .milliseconds(1))
        #expect(await eventually { answer.answer == false })
    }

    @Test("the earliest submitted job polling a model that never finished is its scout; its end wakes the next one")
    func scouts() async {
        let (_, planner, answer, _) = await waitingJob()
        let start = Date(timeIntervalSince1970: 1_000_000)
        let first = SharedPlanner.PollingJob(submittedAt: start, id: 7)
        let second = SharedPlanner.PollingJob(submittedAt: start + 1, id: 3)
        let third = SharedPlanner.PollingJob(submittedAt: start + 1, id: 4)
        let other = SharedPlanner.PollingJob(submittedAt: start - 5, id: 9)
        #expect(planner.isScout(second, model: "pulid-lightning"), "no job polling: the next one scouts")
        planner.beginPolling(first, model: "pulid-lightning")
        planner.beginPolling(second, model: "pulid-lightning")
        planner.beginPolling(third, model: "pulid-lightning")
        planner.beginPolling(other, model: "instantid")
        #expect(planner.isScout(first, model: "pulid-lightning"))
        #expect(!planner.isScout(second, model: "pulid-lightning"))
        #expect(planner.isScout(other, model: "instantid"), "each model has its own scout")
        #expect(answer.answer == nil, "the scouts took no one's place: nobody plans again")
        planner.endPolling(second, model: "pulid-lightning")
        #expect(!(await eventually(timeout: .milliseconds(50)) { answer.answer != nil }), "a job that was not the scout ended: no change")
        planner.endPolling(first, model: "pulid-lightning")
        #expect(await eventually { answer.answer == true }, "the scout ended: the waiting jobs plan again")
        #expect(planner.isScout(third, model: "pulid-lightning"))
        let revision = planner.revision
        planner.endPolling(third, model: "pulid-lightning")
        #expect(planner.revision == revision, "the last one ended: nobody to take over")
    }

    @Test("two submits answered together make one scout: the second is not one while the first journals its request")
    func answeredTogetherMakeOneScout() async {
        let (_, planner, _, _) = await waitingJob()
        let start = Date(timeIntervalSince1970: 1_000_000)
        #expect(planner.answered(1, model: "instantid"), "the first answered, nobody polling: the scout")
        #expect(!planner.answered(2, model: "instantid"), "answered while the first has not begun polling yet")
        #expect(planner.answered(5, model: "pulid-base"), "each model has its own")
        planner.beginPolling(SharedPlanner.PollingJob(submittedAt: start, id: 1), model: "instantid")
        planner.beginPolling(SharedPlanner.PollingJob(submittedAt: start + 1, id: 2), model: "instantid")
        #expect(!planner.answered(3, model: "instantid"), "one is polling")
        planner.forgetAnswered(3, model: "instantid")
        planner.endPolling(SharedPlanner.PollingJob(submittedAt: start, id: 1), model: "instantid")
        planner.endPolling(SharedPlanner.PollingJob(submittedAt: start + 1, id: 2), model: "instantid")
        #expect(planner.answered(4, model: "instantid"), "all ended and forgotten: the next answered scouts again")
        planner.forgetAnswered(5, model: "pulid-base")
        #expect(planner.answered(6, model: "pulid-base"), "a job that never polled (its journal write failed) was forgotten")
    }

    @Test("the scout's end wakes the next one only while the model has never finished")
    func scoutsEndOnceFinished() async {
        let (_, planner, answer, _) = await waitingJob()
        let start = Date(timeIntervalSince1970: 1_000_000)
        let first = SharedPlanner.PollingJob(submittedAt: start, id: 1)
        let second = SharedPlanner.PollingJob(submittedAt: start + 1, id: 2)
        planner.beginPolling(first, model: "pulid-lightning")
        planner.beginPolling(second, model: "pulid-lightning")
        planner.learn(model: "pulid-lightning", size: WorkSize(bucket: 20), runTime: .seconds(2), queueTime: nil)
        #expect(await eventually { answer.answer == true })
        let revision = planner.revision
        planner.endPolling(first, model: "pulid-lightning")
        #expect(planner.revision == revision, "measured: the scout no longer matters")
        #expect(planner.isScout(second, model: "pulid-lightning"))
    }

    @Test("a change before the wait begins is not missed, and a cancelled wait ends unchanged")
    func raceAndCancel() async {
        let planner = SharedPlanner(PollPlanner(expectedRunTimes: [:]), clock: TestClock())
        let revision = planner.revision
        planner.learn(model: "instantid", size: WorkSize(bucket: 20), runTime: .seconds(7), queueTime: .seconds(1))
        #expect(await planner.waitForChange(after: revision, upTo: .seconds(30)))
        let (_, _, answer, task) = await waitingJob()
        task.cancel()
        #expect(await eventually { answer.answer == false })
    }
}

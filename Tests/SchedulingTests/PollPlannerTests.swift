import Scheduling
import SegmindCatalog
import Testing

/// A duration in seconds, for comparisons with a tolerance.
func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

@Suite("PollPlanner: first poll at the expected run time, then back-off")
struct PollPlannerTests {
    let planner = PollPlanner(expectedRunTimes: ["flux-pulid": .seconds(13), "pulid-base": .seconds(70)])

    @Test("the first poll waits the catalog's run time × scale, or the learned average, never under the minimum")
    func firstPoll() {
        #expect(planner.firstPoll(model: "flux-pulid") == .seconds(13))
        var scaled = planner
        scaled.runTimeScale = 0.01
        #expect(abs(seconds(scaled.firstPoll(model: "pulid-base")) - 0.7) < 1e-9)
        #expect(scaled.firstPoll(model: "flux-pulid") == .milliseconds(250), "0.13 s is below the minimum")
        #expect(planner.firstPoll(model: "unknown-model") == PollPlanner.fallbackRunTime)
        let learned = PollPlanner(expectedRunTimes: ["flux-pulid": .seconds(13)], learned: ["flux-pulid": .seconds(9)], runTimeScale: 0.5)
        #expect(learned.firstPoll(model: "flux-pulid") == .seconds(9), "a learned time is already in the daemon's time")
    }

    @Test("later polls start at a quarter of the expected time and grow ×1.5 up to the maximum")
    func backOff() {
        let expected = 13.0
        let waits = (1...8).map { seconds(planner.nextPoll(model: "flux-pulid", pollsSoFar: $0, elapsed: .seconds(expected))) }
        let figures = [3.25, 4.875, 7.3125, 10.96875, 16.453125, 24.6796875, 30, 30]
        for (wait, figure) in zip(waits, figures) {
            #expect(abs(wait - figure) < 1e-6, "\(waits)")
        }
        #expect(planner.nextPoll(model: "flux-pulid", pollsSoFar: 1_000, elapsed: .seconds(600)) == .seconds(30))
        let tiny = PollPlanner(expectedRunTimes: ["m": .milliseconds(400)])
        #expect(tiny.nextPoll(model: "m", pollsSoFar: 1, elapsed: .seconds(1)) == .milliseconds(250))
    }

    @Test("before the expected time is up the planner waits for the rest of it; an overdue unpolled job is polled soon")
    func elapsedCounts() {
        #expect(planner.nextPoll(model: "flux-pulid", pollsSoFar: 0, elapsed: .seconds(5)) == .seconds(8))
        #expect(planner.nextPoll(model: "flux-pulid", pollsSoFar: 0, elapsed: .seconds(12.9)) == .milliseconds(250))
        #expect(planner.nextPoll(model: "flux-pulid", pollsSoFar: 0, elapsed: .seconds(40)) == .milliseconds(250))
    }

    @Test("learning keeps an exponential moving average per model and ignores nonsense")
    func learning() {
        var planner = planner
        planner.learn(model: "flux-pulid", runTime: .seconds(10))
        #expect(planner.learned["flux-pulid"] == .seconds(10))
        planner.learn(model: "flux-pulid", runTime: .seconds(20))
        #expect(abs(seconds(planner.expectedRunTime(model: "flux-pulid")) - 13) < 1e-9)
        planner.learn(model: "flux-pulid", runTime: .zero)
        planner.learn(model: "flux-pulid", runTime: .seconds(-3))
        #expect(abs(seconds(planner.expectedRunTime(model: "flux-pulid")) - 13) < 1e-9)
        #expect(planner.learned["pulid-base"] == nil)
    }

    @Test("a queue time learned from any model is added to the catalog's run time until a model has its own")
    func queueTime() {
        var planner = planner
        #expect(planner.learnedQueueTime == nil)
        planner.learn(model: "flux-pulid", runTime: .seconds(15), queueTime: .seconds(2))
        #expect(planner.learnedQueueTime == .seconds(2))
        #expect(planner.firstPoll(model: "pulid-base") == .seconds(72), "70 s of run time after 2 s in the queue")
        #expect(planner.firstPoll(model: "flux-pulid") == .seconds(15), "a learned time already holds the queue")
        // A poll that found pulid-base running after its catalog time waits for the queue's share, not a back-off.
        #expect(planner.nextPoll(model: "pulid-base", pollsSoFar: 1, elapsed: .seconds(70)) == .seconds(2))
        planner.learn(model: "instantid", runTime: .zero, queueTime: .seconds(4))
        #expect(abs(seconds(planner.learnedQueueTime ?? .zero) - 2.6) < 1e-9, "a moving average, even from a job with no run time")
        planner.learn(model: "instantid", runTime: .seconds(9), queueTime: .seconds(-1))
        #expect(abs(seconds(planner.learnedQueueTime ?? .zero) - 2.6) < 1e-9, "a negative queue time is ignored")
    }

    @Test("the catalog's run times feed the planner")
    func fromCatalog() throws {
        let catalog = try ModelCatalog.bundled()
        let planner = PollPlanner(catalog: catalog)
        for model in catalog.models where model.expectedRunSeconds > 0 {
            #expect(abs(seconds(planner.firstPoll(model: model.slug)) - max(model.expectedRunSeconds, 0.25)) < 1e-6)
        }
    }

    @Test("a job that takes up to twice the expected time costs at most four polls, found within 60 % of the expected time")
    func pollsPerJob() {
        let expected = 13.0
        for actual in stride(from: 0.5, through: 2.0, by: 0.05).map({ $0 * expected }) {
            var elapsed = planner.firstPoll(model: "flux-pulid")
            var polls = 1
            while seconds(elapsed) < actual {
                elapsed += planner.nextPoll(model: "flux-pulid", pollsSoFar: polls, elapsed: elapsed)
                polls += 1
            }
            #expect(polls <= 4, "\(polls) polls for a run of \(actual) s")
            if actual > expected {
                #expect(seconds(elapsed) - actual <= 0.6 * expected, "found \(seconds(elapsed) - actual) s late")
            }
        }
    }
}

import Scheduling
import SegmindCatalog
import StrictJSON
import Testing

/// A duration in seconds, for comparisons with a tolerance.
func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

/// Whether a duration is `expected` seconds, give or take a microsecond (durations are scaled by doubles).
func near(_ duration: Duration?, _ expected: Double) -> Bool {
    guard let duration else { return false }
    return abs(seconds(duration) - expected) < 1e-6
}

/// Whether an estimate is `runTime` seconds from `basis`.
func near(_ estimate: PollPlanner.Estimate, _ runTime: Double, _ basis: PollPlanner.Basis) -> Bool {
    near(estimate.runTime, runTime) && estimate.basis == basis
}

@Suite("PollPlanner: early probes until a model finished here, then its measured run time, per size")
struct PollPlannerTests {
    let size = WorkSize(bucket: 30)
    let planner = PollPlanner(expectedRunTimes: ["flux-pulid": .seconds(13), "pulid-base": .seconds(70)])

    /// The times from the submit of every poll up to the one that finds a job of `actual` seconds done.
    func polls(_ planner: PollPlanner, model: String, size: WorkSize, actual: Double) -> [Double] {
        var times: [Double] = []
        var last: Duration?
        while true {
            let due = planner.dueElapsed(model: model, size: size, lastPoll: last)
            times.append(seconds(due))
            if seconds(due) >= actual || times.count > 200 { return times }
            last = due
        }
    }

    @Test("a model that never finished here is probed from a twentieth of the catalog's figure × scale, growing ×1.35")
    func earlyProbes() {
        #expect(near(planner.estimate(model: "pulid-base", size: size), 70, .catalog))
        #expect(near(planner.firstPoll(model: "pulid-base", size: size), 3.5))
        #expect(near(planner.dueElapsed(model: "pulid-base", size: size, lastPoll: .seconds(3.5)), 3.5 * 1.35))
        var scaled = planner
        scaled.runTimeScale = 0.01
        #expect(scaled.firstPoll(model: "pulid-base", size: size) == .milliseconds(250), "0.035 s is below the minimum")
        #expect(near(planner.firstPoll(model: "unknown-model", size: size), 0.5))
        #expect(near(planner.dueElapsed(model: "pulid-base", size: size, lastPoll: .seconds(600)), 630), "no wait over the maximum")
    }

    @Test("a model's other jobs, while one scouts, first poll at the catalog's figure, then grow ×2; measured, all alike")
    func othersWaitForTheScout() {
        #expect(near(planner.firstPoll(model: "pulid-base", size: size, scouting: false), 70))
        #expect(near(planner.dueElapsed(model: "pulid-base", size: size, lastPoll: .seconds(3.5), scouting: false), 70), "no probe before it")
        #expect(near(planner.dueElapsed(model: "pulid-base", size: size, lastPoll: .seconds(20), scouting: false), 70), "no probe before it")
        #expect(near(planner.dueElapsed(model: "pulid-base", size: size, lastPoll: .seconds(70), scouting: false), 100), "then ×2, at most 30 s")
        #expect(near(planner.dueElapsed(model: "pulid-base", size: size, lastPoll: .seconds(10), scouting: false), 70))
        var fast = planner
        fast.runTimeScale = 0.1
        #expect(near(fast.dueElapsed(model: "pulid-base", size: size, lastPoll: .seconds(7), scouting: false), 14), "×2 after the figure")
        var learned = planner
        learned.learn(model: "pulid-base", size: size, runTime: .seconds(7))
        #expect(near(learned.firstPoll(model: "pulid-base", size: size, scouting: false), 7))
        #expect(near(learned.firstPoll(model: "pulid-base", size: size, scouting: true), 7))
    }

    @Test("while probing, a job taking a tenth to ten times the catalog's figure is found within 35 % of its run time")
    func probesBoundTheLag() {
        let catalog = 70.0
        for factor in stride(from: 0.1, through: 10, by: 0.01) {
            let actual = catalog * factor
            let times = polls(planner, model: "pulid-base", size: size, actual: actual)
            let lag = times.last! - actual
            #expect(lag <= 0.35 * actual + 1e-9, "\(actual) s found \(lag) s late")
            // About 11 probes up to 86 s, where 35 % of the time reaches the 30 s maximum, then one each 30 s.
            #expect(times.count <= 34, "\(times.count) polls for \(actual) s")
        }
    }

    @Test("a measured model is polled at its run time, then a twentieth of it plus half the overrun")
    func measured() {
        var planner = planner
        planner.learn(model: "flux-pulid", size: size, runTime: .seconds(20))
        #expect(near(planner.estimate(model: "flux-pulid", size: size), 20, .measured))
        #expect(near(planner.firstPoll(model: "flux-pulid", size: size), 20))
        #expect(near(planner.dueElapsed(model: "flux-pulid", size: size, lastPoll: .seconds(5)), 20), "a probe before the time waits for it")
        #expect(near(planner.dueElapsed(model: "flux-pulid", size: size, lastPoll: .seconds(20)), 21))
        #expect(near(planner.dueElapsed(model: "flux-pulid", size: size, lastPoll: .seconds(21)), 22.5))
        #expect(near(planner.dueElapsed(model: "flux-pulid", size: size, lastPoll: .seconds(500)), 530))
        // A job up to a fifth over its estimate is found within a tenth of its run time, in at most four polls.
        for actual in stride(from: 20.0, through: 24, by: 0.1) {
            let times = polls(planner, model: "flux-pulid", size: size, actual: actual)
            #expect(times.last! - actual <= 0.1 * actual, "\(actual) s found \(times.last! - actual) s late")
            #expect(times.count <= 4)
        }
    }

    @Test("re-planning: what one job teaches moves the due time of a job already waiting, either way")
    func replanning() {
        var planner = PollPlanner(expectedRunTimes: ["pulid-lightning": .seconds(210.8)], runTimeScale: 0.1)
        let waiting = planner.firstPoll(model: "pulid-lightning", size: size)
        #expect(abs(seconds(waiting) - 1.054) < 1e-9, "probed at a twentieth of 21.08 s")
        planner.learn(model: "pulid-lightning", size: size, runTime: .seconds(2))
        #expect(near(planner.dueElapsed(model: "pulid-lightning", size: size, lastPoll: waiting), 2), "sooner than the next probe")
        #expect(near(planner.dueElapsed(model: "pulid-lightning", size: size, lastPoll: nil), 2))
        var slow = PollPlanner(expectedRunTimes: ["instantid": .seconds(7.7)])
        slow.learn(model: "instantid", size: size, runTime: .seconds(80))
        #expect(near(slow.dueElapsed(model: "instantid", size: size, lastPoll: .seconds(10)), 80), "later than the next probe")
    }

    @Test("estimates are kept per size; another size is scaled by the work and probed from half of it")
    func perSize() {
        var planner = planner
        planner.learn(model: "flux-pulid", size: WorkSize(bucket: 30), runTime: .seconds(10))
        planner.learn(model: "flux-pulid", size: WorkSize(bucket: 33), runTime: .seconds(90))
        #expect(near(planner.estimate(model: "flux-pulid", size: WorkSize(bucket: 33)), 90, .measured))
        #expect(near(planner.estimate(model: "flux-pulid", size: WorkSize(bucket: 31)), 20, .scaled), "nearest: 30")
        #expect(near(planner.estimate(model: "flux-pulid", size: WorkSize(bucket: 35)), 360, .scaled), "nearest: 33")
        #expect(near(planner.firstPoll(model: "flux-pulid", size: WorkSize(bucket: 31)), 10))
        #expect(near(planner.dueElapsed(model: "flux-pulid", size: WorkSize(bucket: 31), lastPoll: .seconds(10)), 13.5))
        #expect(planner.hasFinished(model: "flux-pulid"))
        #expect(!planner.hasFinished(model: "pulid-base"))
    }

    @Test("the work size is steps × pixels × images in powers of two, from the request or the catalog's defaults")
    func workSize() throws {
        let catalog = try ModelCatalog.bundled()
        let flux = try #require(catalog.model("flux-pulid"))
        // 20 steps × 896 × 1152 × 1 output.
        let defaults = WorkSize(model: flux, parameters: [:])
        #expect(defaults.bucket == 24)
        #expect(WorkSize(model: flux, parameters: ["num_steps": .integer(10)]).bucket == 23)
        #expect(WorkSize(model: flux, parameters: ["num_outputs": .integer(4)]).bucket == 26)
        #expect(WorkSize(model: flux, parameters: ["num_steps": .integer(19)]) == defaults, "close sizes share a bucket")
        #expect(WorkSize(model: nil, parameters: [:]).bucket == 0)
        // The catalog's figure is for its default size; twice the work is expected to take twice as long.
        let planner = PollPlanner(catalog: catalog)
        let bigger = WorkSize(model: flux, parameters: ["num_outputs": .integer(2)])
        #expect(near(planner.estimate(model: "flux-pulid", size: bigger).runTime, 26.2))
    }

    @Test("learning keeps an exponential moving average per model and size, counts samples, ignores nonsense")
    func learning() {
        var planner = planner
        #expect(
            planner.learn(model: "flux-pulid", size: size, runTime: .seconds(10))
                == LearnedRunTime(model: "flux-pulid", size: size, runTime: .seconds(10), samples: 1)
        )
        let second = planner.learn(model: "flux-pulid", size: size, runTime: .seconds(20))
        #expect(second?.samples == 2)
        #expect(abs(seconds(planner.estimate(model: "flux-pulid", size: size).runTime) - 13) < 1e-9)
        #expect(planner.learn(model: "flux-pulid", size: size, runTime: .zero) == nil)
        #expect(planner.learn(model: "flux-pulid", size: size, runTime: .seconds(-3)) == nil)
        #expect(abs(seconds(planner.estimate(model: "flux-pulid", size: size).runTime) - 13) < 1e-9)
        #expect(planner.estimate(model: "pulid-base", size: size).basis == .catalog)
    }

    @Test("a queue time learned from any model is added to the catalog's figure until a model has its own")
    func queueTime() {
        var planner = planner
        #expect(planner.learnedQueueTime == nil)
        planner.learn(model: "flux-pulid", size: size, runTime: .seconds(15), queueTime: .seconds(2))
        #expect(planner.learnedQueueTime == .seconds(2))
        #expect(near(planner.estimate(model: "pulid-base", size: size).runTime, 72), "70 s of run time after 2 s in the queue")
        #expect(near(planner.estimate(model: "flux-pulid", size: size).runTime, 15), "a learned time already holds the queue")
        planner.learn(model: "instantid", size: size, runTime: .zero, queueTime: .seconds(4))
        #expect(abs(seconds(planner.learnedQueueTime ?? .zero) - 2.6) < 1e-9, "a moving average, even from a job with no run time")
        planner.learn(model: "instantid", size: size, runTime: .seconds(9), queueTime: .seconds(-1))
        #expect(abs(seconds(planner.learnedQueueTime ?? .zero) - 2.6) < 1e-9, "a negative queue time is ignored")
    }

    @Test("what a planner learned, handed to a new one (as the journal does across a restart), plans the same")
    func roundTrip() throws {
        let catalog = try ModelCatalog.bundled()
        var planner = PollPlanner(catalog: catalog, runTimeScale: 0.1)
        planner.learn(model: "pulid-lightning", size: WorkSize(bucket: 25), runTime: .seconds(2))
        planner.learn(model: "pulid-lightning", size: WorkSize(bucket: 25), runTime: .seconds(3))
        planner.learn(model: "instantid", size: WorkSize(bucket: 28), runTime: .seconds(9))
        let restarted = PollPlanner(catalog: catalog, learned: planner.learnedRunTimes, runTimeScale: 0.1)
        #expect(restarted.learnedRunTimes == planner.learnedRunTimes)
        for model in ["pulid-lightning", "instantid", "flux-pulid"] {
            for bucket in 24...29 {
                for last in [nil, Duration.seconds(1), .seconds(5)] {
                    let size = WorkSize(bucket: bucket)
                    #expect(restarted.dueElapsed(model: model, size: size, lastPoll: last) == planner.dueElapsed(model: model, size: size, lastPoll: last))
                }
            }
        }
        #expect(restarted.learnedRunTimes.first { $0.model == "pulid-lightning" }?.samples == 2)
    }

    @Test("the catalog's run times feed the planner: the first poll probes at a twentieth of them")
    func fromCatalog() throws {
        let catalog = try ModelCatalog.bundled()
        let planner = PollPlanner(catalog: catalog)
        for model in catalog.models where model.expectedRunSeconds > 0 {
            let size = WorkSize(model: model, parameters: [:])
            #expect(abs(seconds(planner.firstPoll(model: model.slug, size: size)) - max(model.expectedRunSeconds * 0.05, 0.25)) < 1e-6)
        }
    }
}

import Scheduling
import Synchronization

/// The poll planner every job consults and teaches: what one job learns about a model's run time
/// schedules the first poll of the next.
final class SharedPlanner: Sendable {
    let state: Mutex<PollPlanner>

    init(_ planner: PollPlanner) {
        state = Mutex(planner)
    }
}

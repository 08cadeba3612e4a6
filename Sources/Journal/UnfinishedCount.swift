/// One line of ``JobJournal/unfinishedCounts()``: how many jobs of `inbox` and `model` are in `state`.
package struct UnfinishedCount: Sendable, Hashable {
    package var state: JobState
    package var inbox: String
    package var model: String?
    package var count: Int

    package init(state: JobState, inbox: String, model: String?, count: Int) {
        self.state = state
        self.inbox = inbox
        self.model = model
        self.count = count
    }
}

extension RetentionLimit {
    /// `30 days`, `the newest 1000`, `30 days, at most the newest 1000`, `forever`.
    public var configurationText: String {
        let age = days.map { "\($0) day\($0 == 1 ? "" : "s")" }
        let newest = count.map { "the newest \($0)" }
        switch (age, newest) {
        case (let age?, let newest?): return "\(age), at most \(newest)"
        case (let age?, nil): return age
        case (nil, let newest?): return newest
        case (nil, nil): return "forever"
        }
    }
}

extension RetentionSettings {
    /// The `facedrop check` line: `keep_done 30 days, keep_failed forever, keep_cancelled forever, keep_logs 14 days`.
    public var configurationText: String {
        "keep_done \(done.configurationText), keep_failed \(failed.configurationText), "
            + "keep_cancelled \(cancelled.configurationText), keep_logs \(logs.configurationText) (logs and warnings)"
    }
}

extension WatchEvent {
    /// The file or folder the event is about, for the events that name one.
    package var path: String? {
        switch self {
        case .changed(let path), .removed(let path), .folderAdded(let path), .folderRemoved(let path): path
        case .watchLimitReached(let folder), .watchFailed(let folder, _): folder
        case .overflow, .undecodableName, .requested: nil
        }
    }
}

package import SystemPackage

extension FilePermissions {
    /// `rwxr-xr-x`: an outbox's folders, which other tools read.
    package static let sharedFolder: FilePermissions = [.ownerReadWriteExecute, .groupReadExecute, .otherReadExecute]
    /// `rwx------`: the state folder and claim folders.
    package static let privateFolder: FilePermissions = [.ownerReadWriteExecute]
    /// `rw-r--r--`: an outbox's files.
    package static let sharedFile: FilePermissions = [.ownerReadWrite, .groupRead, .otherRead]
    /// `rw-------`: the state folder's files.
    package static let privateFile: FilePermissions = [.ownerReadWrite]
}

import FileSystem

extension HostLeases {
    /// How many claim folders in `.facedrop/` each owner holds, by the owner `claim.json` names: what each host of
    /// the share has taken and not finished. A claim folder without a readable record counts under "".
    package func claimsByOwner() -> [String: Int] {
        guard let inbox = try? Folder.open(inboxRoot), let names = try? inbox.names("\(inboxRoot)/.facedrop") else { return [:] }
        var counts: [String: Int] = [:]
        for name in names where JobClaimer.isClaimFolderName(name) {
            let owner = ClaimRecord.read(claimFolder: "\(inboxRoot)/.facedrop/\(name)", in: inbox)?.owner ?? ""
            counts[owner, default: 0] += 1
        }
        return counts
    }
}

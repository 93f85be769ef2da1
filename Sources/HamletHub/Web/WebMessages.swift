/// The languages the operator page speaks.
public enum ConsoleLanguage: String, Sendable, Hashable, CaseIterable {
    /// Simplified Chinese, the township office's language.
    case zh
    /// English.
    case en

    /// Reads `zh`, `zh-CN`, `zh_CN`, `en`, `en-US`, … (case-insensitive).
    /// - Parameter value: A `?lang=` value or a cookie.
    /// - Returns: The language, or nil when `value` names neither.
    public init?(code value: String) {
        let v = value.lowercased()
        if v == "zh" || v.hasPrefix("zh-") || v.hasPrefix("zh_") {
            self = .zh
        } else if v == "en" || v.hasPrefix("en-") || v.hasPrefix("en_") {
            self = .en
        } else {
            return nil
        }
    }
}

/// The operator page's compiled-in message table: every user-facing sentence, keyed by a stable id, in Chinese and
/// English. `%1`, `%2`, … are replaced by arguments (already plain text; the page escapes the result).
///
/// Foundation's localization does not follow the locale on Linux, so the page never relies on it.
enum WebMessages {
    /// id → (zh, en).
    static let table: [String: (zh: String, en: String)] = [
        "app.title": ("镇中心管理页面", "Hub operator console"),
        "nav.conflicts": ("冲突", "Conflicts"),
        "nav.nodes": ("村节点", "Village nodes"),
        "nav.export": ("导出", "Export"),
        "nav.logout": ("退出", "Log out"),
        "nav.otherLanguage": ("English", "中文"),

        "kind.field": ("字段冲突", "field"),
        "kind.delete": ("删除冲突", "delete"),
        "kind.duplicate": ("重复登记", "duplicate"),
        "status.open": ("待处理", "open"),
        "status.resolved": ("已处理", "resolved"),

        "list.heading": ("冲突列表", "Conflicts"),
        "list.village": ("村", "Village"),
        "list.kind": ("类型", "Kind"),
        "list.status": ("状态", "Status"),
        "list.any": ("全部", "All"),
        "list.openOnly": ("只看待处理", "Open only"),
        "list.everything": ("全部（含已处理）", "All (with resolved)"),
        "list.apply": ("筛选", "Filter"),
        "list.empty": ("没有符合条件的冲突。", "No conflicts match."),
        "list.truncated": ("只显示前 %1 个。", "Showing the first %1."),
        "list.open": ("查看", "Open"),

        "col.kind": ("类型", "Kind"),
        "col.village": ("村", "Village"),
        "col.table": ("表", "Table"),
        "col.record": ("记录", "Record"),
        "col.field": ("字段", "Field"),
        "col.node": ("村节点", "From node"),
        "col.when": ("时间", "When"),
        "col.status": ("状态", "Status"),
        "col.base": ("原值", "Base"),
        "col.whenChange": ("时间 · 版本", "when · change #"),
        "col.who": ("修改人 · 节点 · 时间", "who · node · when"),
        "col.value": ("值", "Value"),

        "detail.heading": ("冲突 #%1", "Conflict #%1"),
        "detail.reason": ("原因", "Reason"),
        "detail.provisional": ("暂时采用", "Provisional winner"),
        "detail.current": ("当前值", "Current value"),
        "detail.version": ("版本 %1", "change #%1"),
        "detail.back": ("← 返回冲突列表", "← Back to the list"),
        "detail.history": ("修改记录", "History"),
        "detail.row": ("记录", "Row"),
        "detail.resolvedBy": ("已由 %1 于 %2 处理：%3", "Resolved by %1 at %2: %3"),
        "detail.noteLabel": ("说明：%1", "Note: %1"),
        "detail.resolvedByHub": ("镇中心自动关闭：%1", "Closed by the hub: %1"),
        "detail.rowGone": ("这条记录在镇中心已不存在。", "The hub no longer holds this row."),
        "detail.deleteHint": ("一个村节点删除了这条记录，另一个同时修改了它。请决定保留还是删除。",
                              "One node deleted this row while another edited it. Decide whether to keep or delete it."),

        "action.operator": ("管理员", "Operator"),
        "action.note": ("说明（可不填）", "Note (optional)"),
        "action.takeSide": ("采用%1的值", "Take the value of %1"),
        "action.newValue": ("新值", "New value"),
        "action.useNewValue": ("采用新值", "Use this value"),
        "action.keep": ("保留这条记录", "Keep the row"),
        "action.delete": ("删除这条记录", "Delete the row"),
        "action.merge": ("合并这两条记录", "Merge the two rows"),
        "action.unmerge": ("撤销合并", "Undo the merge"),
        "action.resolveHeading": ("处理", "Resolve"),
        "action.reason": ("理由（必填，村里以后能看到）", "Why (required; clerks can read it later)"),
        "action.dismiss": ("不是同一人", "Not the same person"),

        "dup.heading": ("两条记录的身份证号相同", "Two rows share a national ID"),
        "dup.warning": ("合并是最要紧的操作：请先核对两条记录，以及引用它们的每一条记录。合并后另一条记录标记为并入保留的记录，引用它的记录改指保留的记录。合并可以撤销。",
                        "Merging is the riskiest action: check both rows and every row that references them first. The other row is marked merged into the kept one, and its references are repointed. A merge can be undone."),
        "dup.acrossVillages": ("两条记录在不同的村（%1、%2）：保留哪一条，就是保留哪个村。合并也是一次迁移：另一方的事件、随访、孕情、避孕和待遇记录随人转到保留的村，她在那边当户主的户清空户主，并在保留的村记一条迁出事件和一条迁入事件（原因婚迁，日期今天；在命令行合并时可以另定）。撤销合并时都改回。",
                               "The two rows are in different villages (%1, %2): the row you keep decides the village. The merge is also a move: the other row's events, visits, pregnancies, contraception and benefits go to the kept village, a household she headed there loses its head, and a move_out and a move_in event are recorded in the kept village (reason marriage, dated today; hamlet hub merge can set them). Undoing the merge puts it all back."),
        "dup.survivor": ("保留哪一条", "Keep which row"),
        "dup.keepThis": ("保留 %1", "Keep %1"),
        "dup.fieldsHint": ("每个不同的字段选一个值：选中的值就是合并后的值（选中空值会清空该字段）。", "For each field that differs, pick a value: the checked values are what the merged row will hold (picking an empty value clears the field)."),
        "dup.refs": ("引用记录 %1 的记录：%2 条", "Rows referencing %1: %2"),
        "dup.refsNone": ("没有记录引用它。", "No row references it."),
        "dup.differs": ("不同", "differs"),
        "dup.mergedInfo": ("已合并：保留 %1，%2 已并入；改了 %3 个字段，改指 %4 条引用。",
                           "Merged: kept %1, %2 merged into it; %3 field(s) taken, %4 reference(s) repointed."),
        "dup.dismissHeading": ("核实后不是同一人？", "Checked, and not the same person?"),
        "dup.dismissHint": ("如果两条记录是不同的人（例如其中一条的%1录错了），就关闭这个冲突：两条记录都不动，什么也不写。请写明理由，村里的工作人员以后能看到。只要两条记录的%1都没有再修改，就不会再提示。",
                            "If the two rows are different people (one %1 typed wrong, say), close this conflict: both rows stay as they are and nothing is written. Say why: clerks can read it later. The pair is not raised again unless one of the two %1 values is written again."),
        "dup.dismissedInfo": ("已判定为不是同一人：两条记录都保留。只要两条记录的%1都没有再修改，就不会再提示。",
                              "Judged not the same person: both rows stay. The pair is not raised again unless one of the two %1 values is written again."),
        "dup.unmergeHint": ("如果合并错了，撤销后两条记录都会恢复，引用也改回原来的记录。",
                            "If the merge was a mistake, undoing it restores both rows and points the references back."),

        "flash.resolved": ("冲突 #%1 已处理（镇中心版本 %2，各村节点下次同步时收到）。",
                           "Conflict #%1 resolved (hub change #%2; nodes get it on their next sync)."),
        "flash.merged": ("冲突 #%1：已合并，保留 %2，改指 %3 条引用。", "Conflict #%1: merged, kept %2, %3 reference(s) repointed."),
        "flash.mergedMove": ("冲突 #%1：已合并，保留 %2；%3 条记录随人从%4转到%5，已记迁出、迁入事件。", "Conflict #%1: merged, kept %2; %3 record(s) followed her from %4 to %5, move_out and move_in events recorded."),
        "flash.dismissed": ("冲突 #%1 已关闭：不是同一人，两条记录都保留。", "Conflict #%1 closed: not the same person; both rows stay."),
        "flash.unmerged": ("冲突 #%1：已撤销合并，两条记录都已恢复，%2 条引用已改回；冲突重新待处理。",
                           "Conflict #%1: merge undone, both rows restored, %2 reference(s) pointed back; the conflict is open again."),

        "err.alreadyResolved": ("没有改动：这个冲突已经由 %1 于 %2 处理（%3）。", "Nothing changed: this conflict was already resolved by %1 at %2 (%3)."),
        "err.stale": ("没有改动：这个字段在您打开页面后又被修改了（版本 %1 → %2）。请看最新的值再处理。",
                      "Nothing changed: the field changed after you opened this page (version %1 → %2). Look at the new value and decide again."),
        "err.staleShort": ("没有改动：这个字段在您打开页面后又被修改了。请看最新的值再处理。",
                           "Nothing changed: the field changed after you opened this page. Look at the new value and decide again."),
        "err.invalid": ("没有改动：%1", "Nothing changed: %1"),
        "err.referenced": ("没有改动：还有有效记录引用这条记录，不能删除。请先改指或删除那些记录。",
                           "Nothing changed: live rows still reference this row, so it cannot be deleted. Repoint or delete them first."),
        "err.notMerged": ("没有改动：这个冲突不是已合并的重复登记。", "Nothing changed: this conflict is not a merged duplicate."),
        "err.noteRequired": ("没有改动：请写明理由（为什么不是同一人），村里的工作人员以后要看。", "Nothing changed: say why they are not the same person; clerks read it later."),
        "err.wrongKind": ("没有改动：这个操作不适用于这类冲突。", "Nothing changed: this action does not apply to this kind of conflict."),
        "err.rowNotFound": ("没有改动：镇中心找不到相关记录。", "Nothing changed: the hub cannot find the row."),
        "err.csrf": ("表单已过期，或者不是从本页面提交的。请刷新页面后再试。", "The form has expired or did not come from this page. Reload the page and try again."),
        "err.badForm": ("表单内容不完整，请刷新页面后再试。", "The form is incomplete. Reload the page and try again."),
        "err.store": ("镇中心数据库暂时忙或打不开，请稍后再试。", "The hub database is busy or cannot be opened. Try again shortly."),
        "err.notFound": ("没有这个页面。", "No such page."),
        "err.noConflict": ("没有冲突 #%1。", "No conflict #%1."),
        "err.noTable": ("没有这个表。", "No such table."),
        "err.method": ("不支持这个请求方法。", "This method is not supported here."),
        "err.host": ("请求的主机名不对。请用本机地址打开管理页面。", "Wrong host name. Open the operator page on this machine's address."),
        "err.loopbackOnly": ("管理页面没有口令，只能在本机打开。", "The operator page has no token, so it only answers on this machine."),

        "login.heading": ("请输入管理口令", "Enter the operator token"),
        "login.token": ("口令", "Token"),
        "login.submit": ("登录", "Log in"),
        "login.wrong": ("口令不对。", "Wrong token."),
        "login.throttled": ("口令错误次数太多，请一分钟后再试。", "Too many wrong tokens. Try again in a minute."),
        "login.hint": ("口令在镇中心启动时用 --token-file 指定。", "The token is the one given to the hub with --token-file."),

        "nodes.heading": ("村节点状态", "Village nodes"),
        "nodes.node": ("节点", "Node"),
        "nodes.lastSeen": ("最近同步", "Last seen"),
        "nodes.lastResult": ("结果", "Last result"),
        "nodes.address": ("地址", "Address"),
        "nodes.waiting": ("待下载", "Changes waiting"),
        "nodes.open": ("待处理冲突", "Open conflicts"),
        "nodes.skew": ("时钟偏差", "Clock skew"),
        "nodes.lastSeq": ("最后序号", "Last seq"),
        "nodes.never": ("从未", "never"),
        "nodes.empty": ("还没有登记村节点。", "No village nodes are registered yet."),

        "history.heading": ("修改记录：%1 %2", "History: %1 %2"),
        "history.hseq": ("版本", "Change #"),
        "history.when": ("时间", "When"),
        "history.node": ("节点", "Node"),
        "history.who": ("修改人", "Who"),
        "history.op": ("操作", "Operation"),
        "history.values": ("写入的值", "Values written"),
        "history.note": ("说明", "Note"),
        "history.current": ("当前状态", "Current state"),
        "history.conflicts": ("相关冲突", "Conflicts"),
        "history.empty": ("镇中心没有这条记录的修改。", "The hub holds no changes for this row."),

        "edit.heading": ("更正这条记录", "Correct this row"),
        "edit.hint": ("值错了但没有冲突时，在这里直接更正：只保存改过的字段，记为您的修改，各村节点下次同步时收到。清空一格就是清除这个字段。",
                      "When a value is wrong but not in conflict, correct it here: only the fields you change are saved, as your change, and every node gets it on its next sync. Empty a box to clear the field."),
        "edit.new": ("更正为", "Correct to"),
        "edit.submit": ("保存更正", "Save the correction"),
        "flash.edited": ("已更正：%1（镇中心版本 %2，各村节点下次同步时收到）。", "Corrected: %1 (hub change #%2; nodes get it on their next sync)."),
        "flash.editNothing": ("没有改动：填写的值与现在的相同。", "Nothing changed: the values are the same as now."),
        "err.editStale": ("没有改动：这条记录在您打开页面后又被修改了（版本 %1 → %2）。现在：%3。请核对后再保存。",
                          "Nothing changed: the row changed after you opened this page (version %1 → %2). Now: %3. Check, then save again."),
        "err.editStaleShort": ("没有改动：这条记录在您打开页面后又被修改了（版本 %1 → %2）。请核对后再保存。",
                               "Nothing changed: the row changed after you opened this page (version %1 → %2). Check, then save again."),
        "err.editDeleted": ("没有改动：这条记录已删除或已并入其他记录，不能更正。", "Nothing changed: the row is deleted or merged into another, so it cannot be corrected."),
        "err.editRefused": ("没有改动：镇中心没有接受这次更正。", "Nothing changed: the hub did not accept this correction."),

        "export.heading": ("导出", "Export"),
        "export.from": ("开始日期", "From"),
        "export.to": ("结束日期", "To"),
        "export.dateField": ("按哪个日期筛选", "Dated by"),
        "export.noDate": ("没有日期，不按日期筛选", "no date: not narrowed by dates"),
        "export.download": ("下载", "Download"),
        "export.allVillages": ("所有村", "every village"),
        "export.scopeAll": ("下面的链接导出%1的全部记录。", "The links below export every row of %1."),
        "export.scopeFrom": ("下面的链接导出%1、日期在 %2 及以后的记录。", "The links below export the rows of %1 dated %2 or later."),
        "export.scopeTo": ("下面的链接导出%1、日期在 %2 及以前的记录。", "The links below export the rows of %1 dated %2 or earlier."),
        "export.scopeRange": ("下面的链接导出%1、日期在 %2 至 %3 之间（含这两天）的记录。",
                              "The links below export the rows of %1 dated %2 to %3 (both days included)."),
        "export.dateRule": ("日期范围按每个表的主要日期筛选：人口按出生日期，婚育动态和随访按日期，奖扶按发放日期，孕情按发现日期，节育措施按开始日期；户没有日期，只按村筛选。日期为空的记录（例如还没发放的奖扶）在设了日期范围时不导出。",
                            "The date range applies to each table's main date: people by birth date, life events and visits by date, benefits by payment date, pregnancies by the date found, contraception by its start date; households have no date and are narrowed by village only. With a range, rows whose date is empty (a benefit not paid yet) are left out."),
        "err.exportFilter": ("没有导出：%1", "Nothing exported: %1"),

        "search.heading": ("查找人口和户", "Find people and households"),
        "search.label": ("姓名、身份证号或地址", "Name, national ID or address"),
        "search.placeholder": ("查找：姓名、身份证号、地址", "Find: name, ID, address"),
        "search.submit": ("查找", "Search"),
        "search.hint": ("姓名和地址按其中任何一部分查找；身份证号可以输入全部 18 位，或最后 4 位以上。点姓名或地址看这条记录的修改记录。",
                        "Names and addresses match by any part; a national ID by all 18 characters or its last 4 or more digits. Click a name or an address for the row's history."),
        "search.resultsFor": ("查找「%1」", "Search: %1"),
        "search.none": ("没有找到与「%1」相符的人口或户。", "No person or household matches \"%1\"."),
        "search.count": ("共 %1 条", "%1 found"),
        "search.truncated": ("共 %1 条，显示前 %2 条。请输入更多的字缩小范围。", "%1 found, showing the first %2. Type more to narrow the search."),
        "export.hint": ("xlsx 文件：身份证号、电话按文字保存，用电子表格软件打开再保存也不会变成数字；日期就是日期。CSV 文件：Excel 直接打开，中文不乱码；以 = + - @ 开头的单元格前加 '，防止被当成公式。表头是中文字段名，选项写中文（女、已婚），村里导入时能直接读回。姓名按拼音排序。与镇中心命令行导出的内容相同。",
                        "xlsx: IDs and phones are text cells, so no spreadsheet program turns them into numbers, and dates are dates. CSV: UTF-8 with BOM and CRLF, so Excel opens the Chinese correctly; cells beginning with = + - @ get a leading ' so they are never run as formulas. On the English page the headers are field names and choices their stored codes (on the Chinese page, Chinese labels). Names in pinyin order. The same bytes as hamlet hub export."),

        "state.live": ("有效", "live"),
        "state.deleted": ("已删除", "deleted"),
        "state.mergedInto": ("已并入 %1", "merged into %1"),
        "state.label": ("状态", "State"),
        "value.empty": ("（空）", "(empty)"),
        "side.valueOf": ("%1的值", "Value of %1"),
        "side.who": ("修改人（节点，村）", "Who (node, village)"),
        "side.unknown": ("（不详）", "(unknown)"),
        "change.number": ("版本 %1", "change #%1"),
        "node.hub": ("镇中心", "the hub"),

        "compete.heading": ("这个字段有 %1 个待处理的冲突：争的值都在这里", "%1 open conflicts on this field: every competing value"),
        "compete.hint": ("一次决定全部处理：处理其中任何一个（本页是 #%1），其余的都关闭为「随它的决定一并处理」，每个都留下处理记录。",
                         "One decision settles them all: resolve any one of them (this page is #%1) and the others close as superseded by it, each one recorded."),
        "compete.settled": ("#%1 的决定一并处理了这 %2 个冲突", "The decision on #%1 settled these %2 conflicts"),
        "compete.thisOne": ("本冲突 · %1", "this one · %1"),
        "compete.hubNow": ("镇中心现在的值", "the hub's value now"),
        "compete.hubEarlier": ("镇中心原来的值（#%1 与它冲突）", "the hub's earlier value (#%1 is against it)"),
        "op.put": ("写入", "write"),
        "op.delete": ("删除", "delete"),
        "op.edit": ("更正", "correction"),
        "op.resolve": ("处理冲突", "conflict resolved"),
        "op.merge": ("合并", "merge"),
        "op.merged-into": ("并入", "merged into"),
        "op.unmerge": ("撤销合并", "merge undone"),
        "op.keep": ("保留记录", "row kept"),
        "op.repoint": ("改指引用", "reference repointed"),
        "op.load": ("装入", "load"),
        "op.seed": ("装入", "load"),
        "footer.zone": ("时间按 %1 显示", "Times shown in %1"),
        "footer.beijing": ("时间按北京时间显示", "Times shown in China Standard Time (Asia/Shanghai)"),
        "list.openLabel": ("待处理", "open"),

        "reason.concurrent edits of one field": ("两个节点同时修改了同一个字段", "concurrent edits of one field"),
        "reason.concurrent with an operator's value": ("村节点的修改与管理员设定的值冲突", "concurrent with an operator's value"),
        "reason.write to a merged-away row": ("写到了已并入其他记录的记录上", "write to a merged-away row"),
        "reason.edit of a row deleted concurrently: row kept": ("一个节点删除时另一个节点修改了它：记录暂时保留", "edit of a row deleted concurrently: row kept"),
        "reason.delete concurrent with an edit: row kept": ("删除时另一个节点修改了它：记录暂时保留", "delete concurrent with an edit: row kept"),
        "reason.a deleted row was referenced by a new change: row revived": ("新的修改引用了已删除的记录：记录已恢复", "a deleted row was referenced by a new change: row revived"),
        "reason.delete at a base the restored hub does not know: row kept": ("镇中心从备份恢复后，删除所依据的版本它不知道：记录暂时保留",
                                                                             "delete at a base the restored hub does not know: row kept"),
        "reason.scope at a base the restored hub does not know: held for review": ("镇中心从备份恢复后，无法判断这次修改属于哪个村：值留待核对",
                                                                                   "scope at a base the restored hub does not know: held for review"),
        "reason.references": ("删除的记录还有 %1 条有效记录引用：记录暂时保留", "delete of a row that %1 live row(s) reference: row kept"),
        "reason.same": ("两条有效记录的%1相同", "two live rows hold the same %1"),
    ]

    /// Chinese names of stored enum codes, for display (the stored value stays the code).
    static let enumZH: [String: String] = [
        "F": "女", "M": "男",
        "single": "未婚", "married": "已婚", "divorced": "离婚", "widowed": "丧偶",
        "resident": "常住", "moved_out": "迁出", "moved_in": "迁入",
        "birth": "出生", "marriage": "结婚", "divorce": "离婚", "death": "死亡", "move_out": "迁出", "move_in": "迁入",
        "health_check": "体检", "prenatal": "产前", "postnatal": "产后", "child_health": "儿保", "follow_up": "随访",
        "eligible": "符合条件", "confirmed": "已确认", "paid": "已发放",
    ]

    /// The text of `id` in `language` with `%1`, `%2`, … replaced by `args`; the id itself when it is missing.
    static func text(_ id: String, _ language: ConsoleLanguage, _ args: [String] = []) -> String {
        guard let entry = table[id] ?? WebApp.checkMessages[id] ?? WebApp.compareMessages[id] ?? WebApp.reportMessages[id]
            ?? WebApp.movesMessages[id] ?? WebApp.conflictListMessages[id]
            ?? WebApp.bulkMessages[id] else { return id }
        let template = Array(language == .zh ? entry.zh : entry.en)
        // One pass, so an argument that itself contains `%2` is never expanded.
        var out = ""
        var i = 0
        while i < template.count {
            if template[i] == "%", i + 1 < template.count, let n = template[i + 1].wholeNumberValue, n >= 1, n <= args.count {
                out += args[n - 1]
                i += 2
            } else {
                out.append(template[i])
                i += 1
            }
        }
        return out
    }
}

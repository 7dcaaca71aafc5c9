"""The templates migrations 0001, 0002_channels and 0003_follow_ups seed (zh-CN and en per
event kind and recipient role). They are data: operators edit the rows later
(``set_template``); this is the start."""

TEMPLATES = [
    {
        "event_type": "hours_credited", "role": "volunteer", "locale": "zh-CN",
        "title": "服务时长已入账",
        "body": "您的服务时长 {minutes} 已存入时间账户，当前余额 {balance}。",
    },
    {
        "event_type": "hours_credited", "role": "volunteer", "locale": "en",
        "title": "Service hours credited",
        "body": "{minutes} of service time has been added to your time account. "
                "Your balance is now {balance}.",
    },
    {
        "event_type": "demand_assigned", "role": "volunteer", "locale": "zh-CN",
        "title": "您已接单",
        "body": "您已接下一项服务，服务时间：{window}（北京时间）。请按时到达并签到。",
    },
    {
        "event_type": "demand_assigned", "role": "volunteer", "locale": "en",
        "title": "You have taken on a service",
        "body": "You are assigned to a service on {window}. "
                "Please arrive on time and check in.",
    },
]


def _pair(event_type, role, zh_title, zh_body, en_title, en_body):
    return [
        {"event_type": event_type, "role": role, "locale": "zh-CN",
         "title": zh_title, "body": zh_body},
        {"event_type": event_type, "role": role, "locale": "en",
         "title": en_title, "body": en_body},
    ]


# seeded by migration 0002_channels; placeholders per kind in notify/domain/messages.py, and
# {greeting} ("王秀英您好：" / "您好：") in every template (app/notifying.py adds it)
CHANNEL_TEMPLATES = [
    *_pair("demand_assigned", "elder", "志愿者已接单",
           "{greeting}{volunteer_name}将于{window}（北京时间）上门为您服务。",
           "A volunteer is coming",
           "{greeting}{volunteer_name} will come to serve you on {window}."),
    *_pair("demand_published", "volunteer", "附近有新的服务需求",
           "{category}，时间：{window}（北京时间），地点：{location}。打开“需求”即可接单。",
           "A service request nearby",
           "{category} on {window} at {location}. Open \"Demands\" to take it on."),
    *_pair("demand_cancelled", "volunteer", "服务已取消",
           "您{window}的服务已取消。原因：{reason}",
           "Service cancelled", "Your service on {window} has been cancelled. Reason: {reason}"),
    *_pair("demand_cancelled", "elder", "服务已取消",
           "{greeting}您{window}的服务已取消。原因：{reason}",
           "Service cancelled",
           "{greeting}your service on {window} has been cancelled. Reason: {reason}"),
    *_pair("service_reminder", "volunteer", "服务提醒",
           "{lead}（{window}，北京时间）您有一项服务，请按时到达并签到。",
           "Service reminder",
           "You have a service {lead} ({window}). Please arrive on time and check in."),
    *_pair("service_reminder", "elder", "服务提醒",
           "{greeting}{lead}（{window}，北京时间）{volunteer_name}将上门为您服务。",
           "Service reminder",
           "{greeting}{volunteer_name} will come to serve you {lead} ({window})."),
    *_pair("service_recorded", "volunteer", "服务时长已记录",
           "服务站已记录您本次服务 {minutes}，入账后将另行通知。",
           "Service recorded",
           "The station recorded {minutes} for your service; you will hear when it is credited."),
    *_pair("service_recorded", "elder", "服务已记录",
           "服务站已记录本次为您提供的服务 {minutes}。如有异议，请联系服务站。",
           "Service recorded",
           "The station recorded {minutes} of service for you. Contact the station if this "
           "is not right."),
    *_pair("hours_given", "relative", "您收到赠送的时长",
           "{giver_name}赠送给您 {minutes} 服务时长，已存入您的时间账户。",
           "You received hours",
           "{giver_name} gave you {minutes} of service time; it is in your time account."),
    *_pair("hours_given", "donor", "感谢您的捐赠",
           "您捐赠的 {minutes} 服务时长已存入公益时间池，将用于帮助有需要的老人。",
           "Thank you for your donation",
           "The {minutes} of service time you donated is in the public pool and will help "
           "elders in need."),
    *_pair("milestone_reached", "volunteer", "恭喜成为{level}星志愿者",
           "您的累计服务时长已达 {cumulative}，成为{level}星志愿者。感谢您的付出！",
           "You are now a {level}-star volunteer",
           "Your service time has reached {cumulative}: you are a {level}-star volunteer. "
           "Thank you!"),
    *_pair("certificate_issued", "volunteer", "服务记录证明已开具",
           "您的服务记录证明（编号 {number}）已开具，服务时长合计 {total}，可在“证明”中下载。",
           "Service certificate issued",
           "Your service certificate {number} ({total} in all) is ready to download."),
    *_pair("demand_review_overdue", "station", "需求审核超时",
           "一项于{submitted_at}提交的服务需求（编号 {demand_ref}）已超过审核时限，请尽快审核。",
           "Demand waiting for review",
           "A demand submitted on {submitted_at} (ref. {demand_ref}) is overdue for review."),
    *_pair("dispute_opened", "township", "新的服务争议",
           "一条服务记录被提出异议（争议编号 {dispute_ref}），请尽快处理。",
           "New service dispute",
           "A service record was disputed (ref. {dispute_ref}); please handle it."),
    *_pair("dispute_resolved", "party", "争议已处理",
           "{greeting}关于您的服务记录的争议（编号 {dispute_ref}）已处理：{outcome}。",
           "Dispute resolved",
           "{greeting}the dispute about your service record (ref. {dispute_ref}) was "
           "resolved: {outcome}."),
    *_pair("assignment_withdrawn", "volunteer", "您已退出服务",
           "您已退出这项服务（需求编号 {demand_ref}），感谢及时告知。",
           "You withdrew from a service",
           "You withdrew from the service (ref. {demand_ref}). Thank you for telling us."),
    *_pair("assignment_withdrawn", "elder", "志愿者有变动",
           "{greeting}原定{window}为您服务的志愿者无法前来，服务站正在为您重新安排。",
           "Change of volunteer",
           "The volunteer for {window} cannot come; the station is finding someone else."),
    *_pair("assignment_no_show", "elder", "志愿者未能到达",
           "{greeting}很抱歉，原定{window}的志愿者未能按时到达，服务站将尽快为您重新安排。",
           "The volunteer did not come",
           "We are sorry: the volunteer for {window} did not arrive. The station will "
           "arrange another visit."),
    *_pair("assignment_no_show", "volunteer", "未按时签到",
           "您在{window}的服务未按时签到，已记录为缺席。如有特殊情况，请联系服务站说明。",
           "Missed service",
           "You did not check in for the service on {window}; it is recorded as a no-show. "
           "Contact the station if something happened."),
    *_pair("qualification_expiring", "volunteer", "资质即将到期",
           "您的{kind}资质将于{valid_until}到期，请及时更新，以免影响专业服务接单。",
           "Qualification expiring",
           "Your {kind} qualification expires on {valid_until}. Please renew it to keep "
           "taking professional services."),
    *_pair("volunteer_eligible", "volunteer", "志愿者资格已生效",
           "您已符合志愿服务条件，现在可以接单了。",
           "You can volunteer now", "You meet every condition and can now take on services."),
    *_pair("volunteer_suspended", "volunteer", "志愿者资格暂停",
           "您的志愿者资格已暂停（{reasons}）。请联系服务站了解详情。",
           "Volunteering suspended",
           "Your volunteering is suspended ({reasons}). Please contact your station."),
]

# seeded by migration 0003_follow_ups: demand's follow-up tasks and unconfirmed records
FOLLOW_UP_TEMPLATES = [
    *_pair("follow_up_opened", "station", "新的回访任务",
           "{task}（需求编号 {demand_ref}）。请在“回访任务”中处理。",
           "New follow-up task",
           "{task} (ref. {demand_ref}). See \"Follow-ups\"."),
    *_pair("record_confirmation_overdue", "elder", "请确认服务记录",
           "{greeting}{volunteer_name}为您提供的服务（{minutes}，{recorded_on}记录）尚待您确认，"
           "确认后志愿者的服务时长才能入账。请在“我的服务”中确认，或告诉服务站工作人员。",
           "Please confirm a service",
           "{greeting}the service {volunteer_name} gave you ({minutes}, recorded on "
           "{recorded_on}) still waits for your confirmation; the volunteer's hours are "
           "credited once you confirm. Confirm it in \"My services\" or tell the station."),
]


# seeded by migration 0005_issue13: a service not recorded in time (及时), to the station then
# the township; a person who moved, to the staff of both places
ISSUE13_TEMPLATES = [
    *_pair("recording_overdue", "station", "服务时长超时未登记",
           "一项服务（需求编号 {demand_ref}）已于{checked_out_at}签退，应在{due_at}前登记服务"
           "时长，至今仍未登记。请尽快核实并登记（真实、准确、及时）；逾期将上报乡镇。",
           "Service not recorded in time",
           "A service (ref. {demand_ref}) was checked out on {checked_out_at} and should have "
           "been recorded by {due_at}; it is still not recorded. Please check and record it "
           "now; if it stays unrecorded, the township is told."),
    *_pair("recording_overdue", "township", "服务时长超时未登记（已上报）",
           "服务站的一项服务（需求编号 {demand_ref}）于{checked_out_at}签退，超过登记时限"
           "（{due_at}）仍未登记，现上报乡镇。请督促服务站尽快登记。",
           "Service still not recorded: escalated to the township",
           "A station's service (ref. {demand_ref}) was checked out on {checked_out_at} and is "
           "still not recorded after its limit ({due_at}). Please see that the station records "
           "it."),
    *_pair("person_moved", "moved_out", "人员迁出",
           "{profile}{person}（编号 {person_ref}）已于{moved_on}从{from_place}迁往{to_place}，"
           "今后由迁入地工作人员负责。此前的服务记录仍保留在本地。",
           "A person moved away",
           "The {profile} {person} (ref. {person_ref}) moved from {from_place} to {to_place} "
           "on {moved_on}; the staff there take over. Earlier service records stay here."),
    *_pair("person_moved", "moved_in", "人员迁入",
           "{profile}{person}（编号 {person_ref}）已于{moved_on}从{from_place}迁入{to_place}，"
           "今后由您负责，请做好服务衔接。",
           "A person moved here",
           "The {profile} {person} (ref. {person_ref}) moved from {from_place} to {to_place} "
           "on {moved_on}; you look after them from now on."),
]


SEEDED = [*TEMPLATES, *CHANNEL_TEMPLATES, *FOLLOW_UP_TEMPLATES, *ISSUE13_TEMPLATES]


def seeded_texts(event_type: str, role: str) -> list[tuple[str, str]]:
    """``(title, body)`` of every seeded text of this kind of message, in either language:
    their placeholders are the fields the event's message builder supplies
    (``domain/messages.py``; each seeded template renders with them), whatever the texts in
    the database have become since."""
    return [(t["title"], t["body"]) for t in SEEDED
            if t["event_type"] == event_type and t["role"] == role]

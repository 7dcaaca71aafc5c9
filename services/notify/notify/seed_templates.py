"""The templates migration 0001 seeds. Operators may edit the rows later; this is the start."""

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

"""notify owns the message templates, each person's inbox (站内消息) and notification
preferences, the deliveries of each message on SMS, e-mail and phone calls, the stations'
call tasks (电话通知任务) and the reminders before services: it turns the events of demand,
ledger and identity into messages for the people they concern."""

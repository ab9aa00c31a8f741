"""The programme's use cases as plain async functions, the same for every door (bot, CLI, web).

Each takes the store, the clock and the actor it needs, checks the actor's permission, and does
its writes, audit rows and outbox rows in one ``store.db.transaction()`` (which joins the
update's unit of work when called while an update is handled).
"""

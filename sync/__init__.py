"""The sync core: domain records, planner, engine, orders, scheduler jobs."""

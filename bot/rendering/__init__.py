"""PNG renderers for summaries. Matplotlib's object API on the Agg canvas (no pyplot
global state), called through ``asyncio.to_thread`` so drawing never blocks the loop."""

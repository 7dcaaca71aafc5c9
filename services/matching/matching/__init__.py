"""Matching decides who helps whom, and owns no source of truth about people or demands: it keeps
read models of eligible volunteers and open demands fed by identity's and demand's events
(rebuildable from those services), plus its own data — volunteers' matching preferences (home,
service radius, weekly hours), per-region dispatch settings, dispatch runs and their proposals,
and demand outcomes for statistics. From these it answers the ranked candidates for a demand, a
volunteer's feed of open demands and a region's batch dispatch; claims and assignments stay
atomic in demand (matching proposes, demand decides).
"""

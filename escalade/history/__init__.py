"""History as data: conditioning on real events, backtest questions, proper scores, replay."""

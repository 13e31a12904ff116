from oncall.cli import run

run()

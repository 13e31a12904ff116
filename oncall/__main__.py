from oncall.cli import main

raise SystemExit(main())

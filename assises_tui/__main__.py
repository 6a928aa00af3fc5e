from assises_tui.cli import main

raise SystemExit(main())

from vcam.cli import main
import sys
sys.exit(main())

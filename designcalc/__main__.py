from designcalc.cli import main

main()

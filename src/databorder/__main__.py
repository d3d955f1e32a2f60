from databorder.cli import main

main()

from mockery.cli import main

main()

from ducha.cli import main

main()

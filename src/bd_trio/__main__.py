"""`python -m bd_trio` behaves exactly like the `bd` console script."""

from bd_trio.cli.main import main

if __name__ == "__main__":
    main()

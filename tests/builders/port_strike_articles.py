"""A second story, written for the tests (a fictional port, union and people): five outlets on one dockworkers'
strike. The same facts in different words, and the disagreements a fact-checker must see: "Pettigrew" /
"Pettigrue", 2,800 / 2,100 strikers, a 3 / 5 percent pay offer, "did not respond" / "denied"."""

PORT_STRIKE_ARTICLES = [
    ("Harbour Daily", "Dockworkers strike shuts the Port of Marrowby",
     "Dockworkers strike shuts the Port of Marrowby\n\n"
     "About 2,800 dockworkers walked off the job at the Port of Marrowby on Monday, halting container traffic at "
     "the country's third-busiest harbour. The Marrowby Dockers' Union called the 48-hour strike after talks on pay "
     "broke down last week.\n\n"
     "The union is demanding a 9 percent pay rise, while the Marrowby Harbour Board has offered a 3 percent pay "
     "rise. \"Our members have not had a real raise in four years,\" said Kezia Oduya, the union's general "
     "secretary. Alan Pettigrew, chief executive of the Marrowby Harbour Board, said the offer was \"fair and "
     "affordable\".\n\n"
     "By Monday evening, 14 container ships were waiting at anchor outside the harbour. The Marrowby Harbour Board "
     "did not respond to a request for comment on reports that it would bring in agency staff. The port handles "
     "about 1.2 million containers a year."),
    ("Coastal Courier", "Strike at Marrowby port leaves ships stranded",
     "Strike at Marrowby port leaves ships stranded\n\n"
     "Container traffic at the Port of Marrowby came to a standstill on Monday as dockworkers began a two-day "
     "strike over pay. Some 2,100 dockworkers joined the walkout, according to the Marrowby Harbour Board.\n\n"
     "The Marrowby Dockers' Union wants a 9 percent pay rise. The Marrowby Harbour Board says it has offered a 5 "
     "percent pay rise. Alan Pettigrue, the chief executive of the Marrowby Harbour Board, called the strike "
     "\"deeply disappointing\".\n\n"
     "14 container ships were left waiting at anchor outside the harbour. The last strike at the port, in 2019, "
     "lasted eleven days. Fruit importers warned that cargoes of bananas could spoil within days."),
    ("Marrowby Evening Post", "Harbour Board denies plan to hire agency staff as port strike begins",
     "Harbour Board denies plan to hire agency staff as port strike begins\n\n"
     "The Marrowby Harbour Board denied that it planned to bring in agency staff to replace striking dockworkers. "
     "About 2,800 dockworkers walked out at the Port of Marrowby on Monday morning, and the strike has halted "
     "container traffic at the port.\n\n"
     "Kezia Oduya, general secretary of the Marrowby Dockers' Union, said members would not accept a 3 percent "
     "pay rise. The union is demanding a 9 percent pay rise. The last strike at the port, in 2019, lasted eleven "
     "days."),
    ("Freight Line Weekly", "Marrowby strike strands 14 ships as pay talks stall",
     "Marrowby strike strands 14 ships as pay talks stall\n\n"
     "14 container ships were waiting at anchor outside the harbour on Monday evening, as a dockworkers' strike "
     "halted container traffic at the Port of Marrowby. The Marrowby Harbour Board has offered a 3 percent pay "
     "rise, and the Marrowby Dockers' Union is demanding a 9 percent pay rise.\n\n"
     "Alan Pettigrew, chief executive of the Marrowby Harbour Board, said the offer was fair. Shipping lines have "
     "begun diverting vessels to Calder Bay. The port handles about 1.2 million containers a year."),
    ("City Desk", "What the Marrowby port strike means for the city",
     "What the Marrowby port strike means for the city\n\n"
     "The 48-hour strike at the Port of Marrowby began on Monday after pay talks between the Marrowby Dockers' "
     "Union and the Marrowby Harbour Board broke down.\n\n"
     "The Marrowby Harbour Board did not respond to a request for comment on whether it would bring in agency "
     "staff. Fruit importers warned that cargoes of bananas could spoil within days. The city council will vote "
     "next month on a new cruise terminal at the port. Kezia Oduya said the union was ready to return to talks "
     "\"at any hour\"."),
]

"""The shipped definitions on sentences written for these tests (not taken from any labelled set).

Each sentence names the scenario it should be predicted as ("none" for near misses) and the sign of
its contribution: "+" escalation, "-" de-escalation. They cover the nine languages of the
vocabularies (en, fr, de, ru, uk, be, pl, lt, lv; Belarusian in Łacinka and the classical spelling too), negated statements ("Belarus will not send troops"
must count as the refusal, not as troops sent), and the hard negatives: front-line fighting with no
Belarus angle, Belarusian economy and sport, NATO budget talk that names Article 5, drones over
Ukraine or the Middle East, drones flying from Lithuania into Belarus, Iskanders in Kaliningrad,
Gazprom cutting Ukraine, German gas prices, Minsk as a venue for peace talks.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from indicators import Matcher
from scenarios import ScenarioSet

SENTENCES = [
    # --- Latvian, Belarusian in Łacinka and in the classical spelling, German compounds
    ("belarus_war", "+", "Baltkrievija pārvieto karaspēku uz robežu ar Ukrainu"),
    ("belarus_war", "+", "Krievija izvietojusi kodolieročus Baltkrievijā"),
    ("belarus_war", "-", "Lukašenko paziņoja, ka Baltkrievija nesūtīs karaspēku uz Ukrainu"),
    ("belarus_war", "+", "Biełaruś pierakinuła vojski da miažy z Ukrainaj"),
    ("belarus_war", "+", "Беларусь перакінула войскі да мяжы з Украінай, паведамляе Сьвятлана"),
    ("airspace_nato", "+", "Latvijas gaisa telpā no Baltkrievijas ielidoja drons"),
    ("airspace_nato", "+", "Kampfdrohnen aus Belarus verletzen den Luftraum Litauens"),
    ("energy_cutoff", "+", "Krievija pārtrauca gāzes piegādes Baltkrievijai"),
    ("energy_cutoff", "+", "Russland stoppt die Gaslieferungen an Belarus"),
    ("none", "", "Latvijas basketbola izlase uzvarēja Baltkrieviju draudzības spēlē"),
    # --- belarus_war: escalation
    ("belarus_war", "+", "Belarus moves troops and artillery to its border with Ukraine"),
    ("belarus_war", "+", "La Biélorussie masse des troupes près de la frontière ukrainienne"),
    ("belarus_war", "+", "Belarus verlegt Truppen an die Grenze zur Ukraine"),
    ("belarus_war", "+", "Беларусь перебрасывает войска к границе с Украиной"),
    ("belarus_war", "+", "Білорусь стягує війська до кордону з Україною, повідомляє розвідка"),
    ("belarus_war", "+", "Białoruś przerzuca wojska w pobliże granicy z Ukrainą"),
    ("belarus_war", "+", "Baltarusija telkia karius prie sienos su Ukraina"),
    ("belarus_war", "+", "Беларусь перакінула вайскоўцаў да мяжы з Украінай"),
    ("belarus_war", "+", "Russia deploys Oreshnik missiles to Belarus"),
    ("belarus_war", "+", "Rosja rozmieściła na Białorusi system rakietowy Oresznik"),
    ("belarus_war", "+", "Росія розмістила в Білорусі тактичну ядерну зброю"),
    ("belarus_war", "+", "Russland stationiert Atomwaffen in Belarus"),
    ("belarus_war", "+", "Rusija dislokavo branduolinius ginklus Baltarusijoje"),
    ("belarus_war", "+", "Zapad-2025 : les manœuvres russo-biélorusses ont commencé"),
    ("belarus_war", "+", "В Беларуси начались совместные с Россией военные учения"),
    ("belarus_war", "+", "Rosja i Białoruś rozpoczęły wspólne ćwiczenia wojskowe"),
    ("belarus_war", "+", "Baltarusijoje prasidėjo bendros Rusijos ir Baltarusijos karinės pratybos"),
    (
        "belarus_war",
        "+",
        "Ukraine's air force says cruise missiles were fired from Belarusian airspace by Russian bombers",
    ),
    ("belarus_war", "+", "Ракети по Житомирщині запустили з території Білорусі"),
    ("belarus_war", "+", "Rakiety wystrzelono z terytorium Białorusi w kierunku Kijowa"),
    ("belarus_war", "+", "Russian paratroopers arrive in Belarus ahead of drills near the Ukrainian border"),
    ("belarus_war", "+", "Lukashenko orders snap combat readiness check of the Belarusian army"),
    ("belarus_war", "+", "В Беларуси объявлена мобилизация резервистов"),
    ("belarus_war", "+", "Putin and Lukashenko hold unscheduled talks in Moscow"),
    ("belarus_war", "+", "Kremlin presses Minsk to join the war, threatening to cut loans"),
    ("belarus_war", "+", "Belarus has shipped tanks and artillery shells to Russia"),
    ("belarus_war", "+", "Lukashenko could send Belarusian troops into Ukraine, Kyiv warns"),
    ("belarus_war", "+", "Мінськ може вступити у війну проти України, попереджає ГУР"),
    (
        "belarus_war",
        "+",
        "The Belarusian defence ministry said additional units were being redeployed to the Gomel "
        "region near the Ukrainian border.",
    ),
    (
        "belarus_war",
        "+",
        "Ukraine's border service reports a build-up of Belarusian forces along the northern frontier.",
    ),
    (
        "belarus_war",
        "+",
        "Минобороны Беларуси сообщило о переброске подразделений к южной границе республики.",
    ),
    (
        "belarus_war",
        "+",
        "Білорусь розгортає додаткові підрозділи поблизу кордону з Україною, заявили в ДПСУ.",
    ),
    (
        "belarus_war",
        "+",
        "Białoruskie wojsko koncentruje siły przy granicy z Ukrainą – twierdzi ukraiński wywiad.",
    ),
    ("belarus_war", "+", "Belarusian army receives first Iskander-M systems from Russia."),
    ("belarus_war", "+", "Лукашенко: «Орешник» будет размещен в Беларуси до конца года."),
    ("belarus_war", "+", "Росія передала Білорусі ракетні комплекси «Іскандер-М»."),
    ("belarus_war", "+", "Russland hat erste taktische Atomwaffen nach Belarus verlegt."),
    ("belarus_war", "+", "La Russie a commencé à déployer des armes nucléaires tactiques en Biélorussie."),
    ("belarus_war", "+", "Rusija perdavė Baltarusijai raketų kompleksus „Iskander“."),
    (
        "belarus_war",
        "+",
        "Ukrainian intelligence: Russian troops are gathering in Belarus under the guise of exercises.",
    ),
    ("belarus_war", "+", "Росія перекидає війська до Білорусі для спільних навчань."),
    ("belarus_war", "+", "Rosyjscy żołnierze przybywają na Białoruś na wspólne manewry."),
    ("belarus_war", "+", "Russia and Belarus to hold Union Shield exercises next year."),
    ("belarus_war", "+", "Manöver Sapad: Russland und Belarus üben gemeinsam an der Nato-Grenze."),
    ("belarus_war", "+", "Ukrainian Air Force: Shahed drones were launched from Belarus overnight."),
    ("belarus_war", "+", "Ворог завдав удару з території Білорусі по Чернігівщині."),
    ("belarus_war", "+", "Z terytorium Białorusi wystrzelono pociski w stronę Ukrainy."),
    ("belarus_war", "+", "Lukashenko flew to Moscow for urgent talks with Putin."),
    ("belarus_war", "+", "Лукашенко срочно вылетел в Москву на встречу с Путиным."),
    ("belarus_war", "+", "Russia is pushing Belarus to take part in the war against Ukraine, WSJ reports."),
    ("belarus_war", "+", "Росія тисне на Лукашенка, щоб Білорусь вступила у війну."),
    ("belarus_war", "+", "Belarus continues to supply ammunition to the Russian army."),
    (
        "belarus_war",
        "+",
        "Zelensky: Belarus is building roads and ammunition depots near the Ukrainian border.",
    ),
    ("belarus_war", "+", "В Беларуси проводится внезапная проверка боеготовности армии."),
    ("belarus_war", "+", "Lukaschenko ordnet Mobilmachung in Belarus an."),
    # --- belarus_war: de-escalation, including negated escalations
    ("belarus_war", "-", "Lukashenko says Belarus will not send troops to Ukraine"),
    ("belarus_war", "-", "Loukachenko affirme que la Biélorussie n'entrera pas en guerre contre l'Ukraine"),
    ("belarus_war", "-", "Lukaschenko schließt eine Beteiligung von Belarus am Krieg aus"),
    ("belarus_war", "-", "Лукашенко: белорусская армия не будет воевать в Украине"),
    ("belarus_war", "-", "Łukaszenka: Białoruś nie weźmie udziału w wojnie z Ukrainą"),
    ("belarus_war", "-", "Lukašenka: Baltarusija nedalyvaus kare prieš Ukrainą"),
    ("belarus_war", "-", "Лукашэнка заявіў, што беларускае войска не будзе ўдзельнічаць у вайне"),
    ("belarus_war", "-", "Belarus frees 30 political prisoners after talks with US envoy"),
    ("belarus_war", "-", "Lukaschenko begnadigt 16 politische Gefangene"),
    ("belarus_war", "-", "Baltarusija paleido 20 politinių kalinių"),
    ("belarus_war", "-", "Washington eases sanctions on Belarusian potash producer Belaruskali"),
    ("belarus_war", "-", "Russian troops have left Belarus after the exercise, Ukrainian border guards say"),
    ("belarus_war", "-", "Российские войска выведены из Беларуси после учений"),
    ("belarus_war", "-", "Zapad exercise ends, Russian units return to their bases"),
    ("belarus_war", "-", "Білорусь відвела війська від кордону з Україною"),
    ("belarus_war", "-", "Lukashenko again ruled out sending Belarusian soldiers to fight in Ukraine."),
    ("belarus_war", "-", "Лукашенко: Беларусь не собирается воевать с Украиной."),
    ("belarus_war", "-", "Лукашенко заявив, що білоруська армія не воюватиме проти України."),
    ("belarus_war", "-", "Łukaszenka zapewnia, że białoruska armia nie wejdzie na Ukrainę."),
    ("belarus_war", "-", "Lukašenka tvirtina, kad Baltarusijos kariuomenė nekariaus Ukrainoje."),
    ("belarus_war", "-", "Loukachenko libère 52 prisonniers politiques, Washington allège les sanctions."),
    ("belarus_war", "-", "Лукашенко помиловал еще 37 политзаключенных."),
    ("belarus_war", "-", "Лукашенко помилував 25 політв'язнів."),
    ("belarus_war", "-", "USA heben Sanktionen gegen Belavia auf."),
    ("belarus_war", "-", "JAV panaikino sankcijas Baltarusijos kalio gamintojui „Belaruskalij“."),
    (
        "belarus_war",
        "-",
        "Part of the Russian troops are leaving Belarus, the Ukrainian border guard service says.",
    ),
    ("belarus_war", "-", "Російські війська залишають Білорусь після завершення навчань."),
    (
        "belarus_war",
        "-",
        "Lukashenko says tension on the Ukrainian border has eased and sends troops back to barracks.",
    ),
    ("belarus_war", "-", "Zapad-2025 drills have ended; Minsk says they posed no threat to neighbours."),
    # --- airspace_nato: escalation
    ("airspace_nato", "+", "Russian drone violates Romanian airspace during attack on Izmail"),
    ("airspace_nato", "+", "Un drone russe s'est écrasé en Pologne, près de Lublin"),
    ("airspace_nato", "+", "Russische Drohne dringt in den polnischen Luftraum ein"),
    ("airspace_nato", "+", "Российский беспилотник нарушил воздушное пространство Латвии"),
    ("airspace_nato", "+", "Російський дрон упав на території Молдови"),
    ("airspace_nato", "+", "Nad Polską zestrzelono rosyjskie drony"),
    ("airspace_nato", "+", "Rusijos dronas pažeidė Lietuvos oro erdvę"),
    ("airspace_nato", "+", "Vilnius airport closed again after balloons drift in from Belarus"),
    ("airspace_nato", "+", "Lotnisko w Rzeszowie zamknięte z powodu dronów"),
    (
        "airspace_nato",
        "+",
        "Estonia requests NATO Article 4 consultations after Russian jets enter its airspace",
    ),
    ("airspace_nato", "+", "Poland scrambles fighter jets as Russia pounds western Ukraine"),
    ("airspace_nato", "+", "Польща підняла в повітря винищувачі через масовану атаку РФ"),
    ("airspace_nato", "+", "Romania finds drone debris on its territory after Russian strike on Danube port"),
    ("airspace_nato", "+", "Shahed drones crossed Belarus and entered Lithuanian airspace"),
    ("airspace_nato", "+", "Polish army: an object entered our airspace from Belarus overnight."),
    ("airspace_nato", "+", "Latvia says a Russian drone crashed near Rezekne."),
    ("airspace_nato", "+", "Польша закрыла аэропорты Люблина и Жешува из-за атаки дронов."),
    ("airspace_nato", "+", "У Румунії виявили уламки дрона після атаки на Ізмаїл."),
    ("airspace_nato", "+", "Moldova reports drone debris after Russian attack on Ukraine."),
    ("airspace_nato", "+", "Lietuvoje nukrito dronas, atskridęs iš Baltarusijos."),
    ("airspace_nato", "+", "Kilka dronów wleciało w polską przestrzeń powietrzną."),
    (
        "airspace_nato",
        "+",
        "Des avions de chasse polonais ont décollé après des tirs de missiles russes près de la frontière.",
    ),
    ("airspace_nato", "+", "NATO jets intercepted Russian aircraft over the Baltic Sea near Estonia."),
    ("airspace_nato", "+", "Rumänien meldet Verletzung seines Luftraums durch eine russische Drohne."),
    ("airspace_nato", "+", "Estland beantragt Konsultationen nach Artikel 4."),
    ("airspace_nato", "+", "Литва ввела режим ЧС из-за воздушных шаров из Беларуси."),
    # --- energy_cutoff: escalation
    ("energy_cutoff", "+", "Gazprom threatens to cut gas supplies to Belarus over unpaid debt"),
    ("energy_cutoff", "+", "Russia raises the gas price for Belarus"),
    ("energy_cutoff", "+", "Газпром сократил поставки газа в Беларусь"),
    ("energy_cutoff", "+", "Transneft suspends oil pumping through Belarus"),
    ("energy_cutoff", "+", "Przesył ropy rurociągiem Przyjaźń został wstrzymany"),
    ("energy_cutoff", "+", "Постачання нафти нафтопроводом «Дружба» зупинено"),
    ("energy_cutoff", "+", "Die Druschba-Pipeline ist nach einem Angriff unterbrochen"),
    ("energy_cutoff", "+", "Baltic states disconnect from the Russian power grid"),
    ("energy_cutoff", "+", "Belarus's Astravets nuclear plant depends entirely on Rosatom fuel"),
    ("energy_cutoff", "+", "Газпром пригрозил ограничить поставки газа в Беларусь из-за долга."),
    ("energy_cutoff", "+", "Gazprom droht Belarus mit Lieferstopp."),
    ("energy_cutoff", "+", "Russia halts oil deliveries to Belarusian refineries amid tax dispute."),
    ("energy_cutoff", "+", "Россия прекратила поставки нефти на белорусские НПЗ."),
    (
        "energy_cutoff",
        "+",
        "Hungary says oil flow via Druzhba stopped again after strike on pumping station.",
    ),
    ("energy_cutoff", "+", "Rurociąg Przyjaźń: dostawy ropy do Niemiec wstrzymane."),
    ("energy_cutoff", "+", "Naftos tiekimas „Družba“ vamzdynu sustabdytas."),
    ("energy_cutoff", "+", "Lietuva, Latvija ir Estija atsijungė nuo BRELL sistemos."),
    (
        "energy_cutoff",
        "+",
        "Estonia, Latvia and Lithuania complete synchronisation with the European grid, leaving BRELL.",
    ),
    ("energy_cutoff", "+", "Belarus cannot replace Rosatom's nuclear fuel at Astravets for years."),
    # --- energy_cutoff: de-escalation
    ("energy_cutoff", "-", "Gas supplies to Belarus resumed after debt settlement"),
    ("energy_cutoff", "-", "Прокачка нефти по «Дружбе» возобновлена"),
    ("energy_cutoff", "-", "Поставки российского газа в Беларусь восстановлены в полном объеме."),
    ("energy_cutoff", "-", "Dostawy ropy rurociągiem Przyjaźń zostały wznowione."),
    (
        "energy_cutoff",
        "-",
        "Нафта знову надходить нафтопроводом «Дружба» до Угорщини: постачання відновлено.",
    ),
    # --- hard negatives: near misses every scenario must ignore
    ("none", "", "Belarus GDP grew 2% last year, Belstat says"),
    ("none", "", "Dinamo Minsk beat Kunlun 4-2 at Minsk-Arena"),
    ("none", "", "Leaders meet in Minsk for peace talks on eastern Ukraine"),
    ("none", "", "Lukashenko meets Putin in Sochi to discuss gas prices and trade"),
    ("none", "", "Poland builds a fence on its border with Belarus to stop migrants"),
    ("none", "", "Russian troops advance near Pokrovsk in Donetsk region"),
    ("none", "", "Migrants try to cross from Belarus into Poland through the forest"),
    ("none", "", "EU imposes new sanctions on Belarus over election fraud"),
    ("none", "", "Russia and Ukraine exchange prisoners of war on the Belarusian border"),
    ("none", "", "The Minsk agreements required the withdrawal of heavy weapons from the front line"),
    ("none", "", "Belarusian opposition leader Tsikhanouskaya addresses European Parliament"),
    ("none", "", "Putin deploys Iskander missiles to Kaliningrad"),
    ("none", "", "Ukraine's air defence shot down 40 Shahed drones overnight"),
    ("none", "", "Israel intercepts drones launched from Yemen"),
    ("none", "", "NATO allies agree to raise defence spending to 5% of GDP under Article 5 commitment"),
    ("none", "", "Литовский беспилотник нарушил воздушное пространство Беларуси, заявил МИД"),
    ("none", "", "Poland orders anti-drone systems from a Norwegian company"),
    ("none", "", "EU closes its airspace to Russian airlines"),
    ("none", "", "German households pay more for gas this winter"),
    ("none", "", "Gazprom halts gas deliveries to Ukraine"),
    ("none", "", "Oil prices fall after OPEC cuts output"),
    ("none", "", "Lithuania asks Belarus about safety incident at Astravets nuclear plant"),
    ("none", "", "Ukraine's power grid hit again; blackouts in Kharkiv"),
    ("none", "", "Belarusian volunteers of the Kalinouski regiment fight for Ukraine near Bakhmut."),
    ("none", "", "Лукашенко провел совещание по уборочной кампании."),
    ("none", "", "Belarus and Russia sign an agreement on a common energy market."),
    ("none", "", "Minsk hosts a summit of the Eurasian Economic Union."),
    ("none", "", "Lithuania expels Belarusian diplomat over espionage case."),
    ("none", "", "Poland reopens a border crossing with Belarus."),
    ("none", "", "Belarus national team loses to Lithuania in basketball qualifier."),
    ("none", "", "Ukrainian forces repel Russian attacks near Kupiansk."),
    ("none", "", "Russia launched 500 drones and 40 missiles at Ukraine overnight."),
    ("none", "", "Belarusian refinery Naftan reports higher profit."),
    ("none", "", "Belarus grain harvest reaches 8 million tonnes."),
    ("none", "", "Лукашенко принял верительные грамоты у послов."),
    ("none", "", "Tichanowska trifft Bundeskanzler in Berlin."),
    ("none", "", "Ukraine shot down 30 Russian drones over Kyiv and Lviv regions overnight."),
    ("none", "", "Drone attack on Moscow: airports Vnukovo and Domodedovo closed."),
    ("none", "", "Iran launches drones at Israel; airspace closed over Jordan."),
    ("none", "", "Poland plans to spend 4.7% of GDP on defence, with NATO's Article 5 in mind."),
    ("none", "", "Lithuania buys more drones for its army."),
    ("none", "", "Лукашенко пожаловался на литовские воздушные шары с контрабандой над Беларусью."),
    ("none", "", "Belarus says it shot down a Ukrainian drone over Gomel region."),
    ("none", "", "Preise für Gas und Strom in Deutschland steigen weiter."),
    ("none", "", "Газпром прекратил транзит газа через Украину в Европу."),
    ("none", "", "Brent crude falls below $70 as OPEC+ raises output."),
    ("none", "", "Belarus starts second reactor at Astravets nuclear power plant."),
    ("none", "", "Ukrenergo announces power outages after Russian strikes on the grid."),
    # --- more varied phrasings, all scenarios and near misses
    ("belarus_war", "+", "Russian Su-34 bombers relocated to Belarusian airfields, monitoring group says."),
    (
        "belarus_war",
        "+",
        "Belarus puts its air defence on high alert after Ukrainian drones crossed the border.",
    ),
    ("belarus_war", "+", "В Беларуси проходят командно-штабные учения с участием российских военных."),
    (
        "belarus_war",
        "+",
        "Lithuanian intelligence expects Russian military build-up in Belarus to increase next year.",
    ),
    ("belarus_war", "+", "Moscow wants Minsk to open a second front against Ukraine, analysts warn."),
    (
        "belarus_war",
        "+",
        "Belarus hands over its territory to Russia for new attacks on Kyiv, "
        "Ukraine's foreign ministry says.",
    ),
    ("belarus_war", "+", "Польща: Білорусь розміщує війська біля кордону в межах навчань «Захід-2025»."),
    ("belarus_war", "-", "Belarus frees jailed journalist Ihar Losik after US talks."),
    ("belarus_war", "-", "Лукашэнка памілаваў 18 асуджаных."),
    ("belarus_war", "-", "The US embassy in Minsk will resume work, Washington says."),
    ("belarus_war", "-", "Литва: российские войска, участвовавшие в учениях, покинули Беларусь."),
    ("belarus_war", "-", "Lukashenko: we have no intention of attacking Ukraine."),
    ("airspace_nato", "+", "Poderwano polskie myśliwce, Dowództwo Operacyjne ostrzega przed atakiem."),
    ("airspace_nato", "+", "Russian helicopter violated Estonian airspace near Narva, border guard says."),
    ("airspace_nato", "+", "Copenhagen airport closed for hours after drone sightings."),
    ("airspace_nato", "+", "Drohnen über dem Flughafen München: Flugverkehr eingestellt."),
    ("airspace_nato", "+", "Lithuania closes border crossings with Belarus over smuggling balloons."),
    ("airspace_nato", "+", "Un drone Gerbera s'est écrasé en Lituanie après avoir traversé le Bélarus."),
    ("energy_cutoff", "+", "Belarus starts importing Norwegian oil via Klaipeda as Russian supplies stall."),
    ("energy_cutoff", "+", "Russia stops oil supplies to Belarus as the two sides fail to agree on price."),
    (
        "energy_cutoff",
        "+",
        "Минск и Москва не договорились о цене на газ; Газпром грозит сократить поставки.",
    ),
    ("energy_cutoff", "+", "Rosatom could halt fuel deliveries to the Astravets plant, experts warn."),
    ("none", "", "Poland's drone makers showcase new models at Kielce arms fair."),
    ("none", "", "German air force buys new helicopters."),
    ("none", "", "Belarusian activists release a report on political repression."),
    ("none", "", "Lithuanian basketball club Zalgiris beats Real Madrid."),
    ("none", "", "Belarus hosts Russian tourists at Lake Naroch."),
    ("none", "", "Ukraine's Naftogaz signs gas storage deal with Polish company."),
    ("none", "", "Russian missile strike on Lviv kills three, Polish border crossing closed for hours."),
    ("none", "", "Minsk airport adds flights to Istanbul."),
    ("none", "", "Russian troops withdraw from Kherson city."),
    ("none", "", "Belarusian women's biathlon team wins relay."),
    ("none", "", "EU ministers discuss support for Moldova's energy independence."),
    ("none", "", "Drones attacked Russian refinery in Ryazan."),
]


@pytest.mark.parametrize(("expected", "sign", "text"), SENTENCES)
def test_sentence(
    check_sentence: Callable[[str, str, str], None], expected: str, sign: str, text: str
) -> None:
    check_sentence(expected, sign, text)


def test_every_language_is_exercised() -> None:
    scripts = {"latin": 0, "cyrillic": 0}
    for _, _, text in SENTENCES:
        scripts["cyrillic" if any("\u0400" <= ch <= "\u04ff" for ch in text) else "latin"] += 1
    assert scripts["cyrillic"] >= 40 and scripts["latin"] >= 80


def test_refusal_is_credited_through_negation(shipped: tuple[Matcher, ScenarioSet]) -> None:
    matcher, _ = shipped
    result = matcher.match({"title": "Belarusian troops will never be sent into Ukraine, Minsk says"})
    assert [(m.indicator_id, m.via_negation) for m in result.matches] == [
        ("bw_refuses_war", "bw_troops_into_ukraine")
    ]
    assert [s.indicator_id for s in result.suppressed] == ["bw_troops_into_ukraine"]
    assert result.suppressed[0].cue.text == "never"

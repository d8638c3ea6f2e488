"""German and Belarusian paraphrases of belarus_war and airspace_nato news, written for these tests.

The sentences are my own headlines and lead sentences in the way German and Belarusian outlets phrase
these events (not taken from any labelled set): German with the verb at the end, separable verbs
("zieht ... zusammen", "zieht ... ab", "schließt ... aus"), compounds, the passive and the Konjunktiv of
reported speech; Belarusian in the official Cyrillic spelling, the classical spelling (taraškievica)
and Łacinka. Each names the scenario it should be predicted as ("none" for near misses: drones over
Ukraine only, sport, trade, airports closed for snow or strikes) and the sign of its contribution:
"+" escalation, "-" de-escalation.
"""

from __future__ import annotations

import pytest

from indicators import Matcher
from scenarios import ScenarioSet, predict, score_item

SENTENCES = [
    (
        "belarus_war",
        "+",
        "Belarus zieht nach Angaben des ukrainischen Grenzschutzes zusätzliche Truppen an der Grenze zur Ukraine zusammen",
    ),
    (
        "belarus_war",
        "+",
        "Lukaschenko hat die Verlegung weiterer Einheiten in das Grenzgebiet zur Ukraine angeordnet",
    ),
    (
        "belarus_war",
        "+",
        "Das belarussische Verteidigungsministerium teilte mit, man habe Panzer und Artillerie an die ukrainische Grenze verlegt",
    ),
    (
        "belarus_war",
        "+",
        "Russische Soldaten sind in Belarus eingetroffen, wo sie an gemeinsamen Manövern teilnehmen sollen",
    ),
    ("belarus_war", "+", "Russland hat taktische Atomwaffen nach Belarus verlegt, bestätigte Lukaschenko"),
    ("belarus_war", "+", "In Belarus sind russische Iskander-Raketensysteme stationiert worden"),
    ("belarus_war", "+", "Die Oreschnik-Mittelstreckenrakete ist in Belarus in Dienst gestellt worden"),
    ("belarus_war", "+", "Russland und Belarus haben ein gemeinsames Militärmanöver begonnen"),
    ("belarus_war", "+", "Das Großmanöver Sapad-2025 hat in Belarus begonnen"),
    (
        "belarus_war",
        "+",
        "Aus belarussischem Luftraum seien Marschflugkörper auf Kiew abgefeuert worden, teilte die ukrainische Luftwaffe mit",
    ),
    ("belarus_war", "+", "Kiew befürchtet, dass Belarus in den Krieg gegen die Ukraine eintreten könnte"),
    (
        "belarus_war",
        "+",
        "Lukaschenko ordnet eine unangekündigte Überprüfung der Gefechtsbereitschaft der Armee an",
    ),
    ("belarus_war", "+", "In Belarus werden Reservisten zu Übungen einberufen"),
    ("belarus_war", "+", "Lukaschenko reist überraschend zu Putin nach Moskau"),
    ("belarus_war", "+", "Der Kreml setzt Minsk unter Druck, sich am Krieg gegen die Ukraine zu beteiligen"),
    (
        "belarus_war",
        "+",
        "Belarus liefert nach Erkenntnissen westlicher Geheimdienste Munition und Panzer an Russland",
    ),
    (
        "belarus_war",
        "+",
        "Belarus baut nahe der Grenze zur Ukraine neue Militärstützpunkte und Munitionslager",
    ),
    ("belarus_war", "+", "Lukaschenko könnte belarussische Soldaten in die Ukraine schicken, warnt Kiew"),
    ("belarus_war", "+", "Belarus hat seine Grenze zur Ukraine geschlossen"),
    ("belarus_war", "-", "Lukaschenko schließt die Entsendung belarussischer Truppen in die Ukraine aus"),
    ("belarus_war", "-", "Belarus werde sich nicht am Krieg in der Ukraine beteiligen, sagte Lukaschenko"),
    ("belarus_war", "-", "Lukaschenko lässt 52 politische Gefangene frei"),
    (
        "belarus_war",
        "-",
        "Nach der Begnadigung durch Lukaschenko sind mehrere politische Häftlinge freigekommen",
    ),
    ("belarus_war", "-", "Die USA heben Sanktionen gegen die belarussische Fluggesellschaft Belavia auf"),
    ("belarus_war", "-", "Russland zieht seine Truppen nach dem Manöver aus Belarus ab"),
    (
        "belarus_war",
        "-",
        "Die belarussischen Einheiten sind von der ukrainischen Grenze in ihre Kasernen zurückgekehrt",
    ),
    ("belarus_war", "-", "Die USA eröffnen ihre Botschaft in Minsk wieder"),
    ("belarus_war", "-", "Das Manöver Sapad-2025 ist beendet"),
    ("airspace_nato", "+", "Ein Ballon aus Belarus ist in den litauischen Luftraum eingedrungen"),
    (
        "airspace_nato",
        "+",
        "Russische Drohnen sind über Belarus in den polnischen Luftraum eingedrungen, teilte Warschau mit",
    ),
    ("airspace_nato", "+", "Der Flughafen Vilnius wurde wegen Ballons aus Belarus erneut geschlossen"),
    ("airspace_nato", "+", "Polen hat über seinem Staatsgebiet mehrere Drohnen abgeschossen"),
    ("airspace_nato", "+", "Die Nato-Partner beraten nach Artikel 4 über die Drohnenangriffe auf Polen"),
    ("airspace_nato", "+", "Polen beantragt Konsultationen nach Artikel 4 des Nato-Vertrags"),
    (
        "airspace_nato",
        "+",
        "Polnische Kampfjets sind aufgestiegen, nachdem Drohnen den Luftraum verletzt hatten",
    ),
    ("airspace_nato", "+", "In Lettland ist eine Drohne abgestürzt, die aus Belarus gekommen sein soll"),
    ("airspace_nato", "+", "Litauen schließt die Grenzübergänge zu Belarus wegen der Schmuggelballons"),
    ("airspace_nato", "+", "Wrackteile einer Drohne wurden in Ostpolen gefunden"),
    ("airspace_nato", "-", "Der Flughafen Vilnius hat den Betrieb wieder aufgenommen"),
    ("airspace_nato", "-", "Der Luftraum über Vilnius ist wieder geöffnet"),
    ("none", "", "Drohnen greifen Kiew an, mehrere Menschen verletzt"),
    ("none", "", "Gaspreise in Deutschland steigen erneut"),
    ("none", "", "Belarussischer Fußballverein BATE Borissow gewinnt Pokal"),
    ("none", "", "In Minsk beginnen neue Gespräche über einen Waffenstillstand"),
    ("none", "", "Nato-Gipfel berät über höhere Verteidigungsausgaben"),
    ("none", "", "Der Flughafen München wurde wegen Schneefalls geschlossen"),
    ("belarus_war", "+", "Беларусь сцягвае войскі да мяжы з Украінай, паведамляе Дзяржпамежслужба Украіны"),
    ("belarus_war", "+", "Лукашэнка загадаў узмацніць групоўку войскаў на ўкраінскай мяжы"),
    ("belarus_war", "+", "У Беларусь прыбылі расійскія вайскоўцы для сумесных вучэнняў"),
    ("belarus_war", "+", "Расія размясціла ў Беларусі тактычную ядзерную зброю"),
    ("belarus_war", "+", "У Беларусі заступіў на баявое дзяжурства комплекс «Арэшнік»"),
    ("belarus_war", "+", "Пачаліся сумесныя беларуска-расійскія вучэнні «Захад-2025»"),
    ("belarus_war", "+", "Ракеты па Кіеве былі выпушчаныя з тэрыторыі Беларусі"),
    ("belarus_war", "+", "Лукашэнка абвясціў раптоўную праверку баявой гатоўнасці войскаў"),
    ("belarus_war", "+", "Лукашэнка тэрмінова паляцеў да Пуціна ў Маскву"),
    ("belarus_war", "+", "Крэмль ціспе на Мінск, каб уцягнуць Беларусь у вайну"),
    ("belarus_war", "+", "Беларусь можа ўступіць у вайну супраць Украіны, папярэджвае ГУР"),
    ("belarus_war", "+", "Беларусь пастаўляе Расіі боепрыпасы і танкі"),
    ("belarus_war", "-", "Лукашэнка заявіў, што Беларусь не будзе ўдзельнічаць у вайне"),
    ("belarus_war", "-", "Лукашэнка памілаваў 30 палітвязняў"),
    ("belarus_war", "-", "ЗША знялі санкцыі з «Беларускалія»"),
    ("belarus_war", "-", "Расійскія войскі пакідаюць Беларусь пасля вучэнняў"),
    ("belarus_war", "-", "Вучэнні «Захад-2025» завяршыліся"),
    ("belarus_war", "-", "Пасольства ЗША ў Мінску аднаўляе працу"),
    ("belarus_war", "+", "Biełaruś sciahvaje vojski da ukrainskaj miažy"),
    ("belarus_war", "+", "Rasija razmiasciła ŭ Biełarusi jadziernuju zbroju"),
    ("belarus_war", "-", "Łukašenka vyzvaliŭ 14 palitviaźniaŭ"),
    ("belarus_war", "-", "ZŠA źniali sankcyi z Biełavii"),
    ("airspace_nato", "+", "Litva zakryła aeraport Vilni praz paviatranyja šary z Biełarusi"),
    ("airspace_nato", "+", "Biełaruski dron upaŭ u Litvie"),
    ("airspace_nato", "+", "Метэазонды з Беларусі зноў парушылі паветраную прастору Літвы"),
    ("airspace_nato", "+", "Аэрапорт Вільні зачынілі з-за паветраных шароў з Беларусі"),
    ("airspace_nato", "+", "Польшча збіла расійскія дроны над сваёй тэрыторыяй"),
    ("airspace_nato", "+", "Расійскія беспілотнікі праляцелі праз Беларусь у Польшчу"),
    ("airspace_nato", "+", "Польшча запатрабавала кансультацый паводле артыкула 4 НАТА"),
    ("airspace_nato", "+", "Літва закрыла пункты пропуску на мяжы з Беларуссю з-за паветраных шароў"),
    ("airspace_nato", "-", "Аэрапорт Вільні аднавіў працу"),
    ("belarus_war", "+", "Беларусь перакідвае войскі да мяжы з Украінай, паведамляе Дзяржпамежслужба"),
    ("airspace_nato", "+", "Балёны з Беларусі зноў парушылі паветраную прастору Літвы"),
    ("belarus_war", "-", "Лукашэнка вызваліў палітвязьняў"),
    ("none", "", "Беларускі футбольны клуб БАТЭ выйграў кубак"),
    ("none", "", "Расійскія дроны атакавалі Кіеў"),
    ("none", "", "У Мінску прайшлі мірныя перамовы"),
    ("none", "", "Кошт газу ў Германіі вырас"),
    (
        "belarus_war",
        "+",
        "Nach Angaben Kiews sollen an der Grenze zu Belarus in den vergangenen Tagen mehrere Tausend belarussische Soldaten zusammengezogen worden sein",
    ),
    (
        "belarus_war",
        "+",
        "Minsk habe weitere Bataillone in die Grenzregion Gomel verlegt, berichtete der ukrainische Militärgeheimdienst",
    ),
    ("belarus_war", "+", "Belarussische Truppenverlegung an die ukrainische Grenze beunruhigt Kiew"),
    (
        "belarus_war",
        "+",
        "Russische Fallschirmjäger seien in Belarus eingetroffen, meldete das Verteidigungsministerium in Minsk",
    ),
    (
        "belarus_war",
        "+",
        "Die Stationierung russischer Atomsprengköpfe in Belarus ist nach Worten Lukaschenkos abgeschlossen",
    ),
    ("belarus_war", "+", "Russland hat in Belarus das Raketensystem Oreschnik stationiert"),
    (
        "belarus_war",
        "+",
        "Bei der gemeinsamen Übung von Russland und Belarus trainieren Tausende Soldaten den Einsatz",
    ),
    (
        "belarus_war",
        "+",
        "Die ukrainische Luftwaffe meldet Raketenangriffe aus Belarus auf die Region Schytomyr",
    ),
    (
        "belarus_war",
        "+",
        "Experten halten einen Kriegseintritt von Belarus an der Seite Russlands für möglich",
    ),
    (
        "belarus_war",
        "+",
        "In Belarus hat eine überraschende Überprüfung der Kampfbereitschaft der Streitkräfte begonnen",
    ),
    (
        "belarus_war",
        "+",
        "Lukaschenko und Putin trafen sich kurzfristig zu einem ungeplanten Gespräch in Moskau",
    ),
    ("belarus_war", "+", "Moskau drängt Minsk zu einer direkten Beteiligung am Krieg"),
    ("belarus_war", "+", "Belarussische Rüstungsbetriebe liefern Granaten und Militärtechnik an Russland"),
    ("belarus_war", "-", "Lukaschenko lehnt eine Beteiligung am Krieg gegen die Ukraine ab"),
    ("belarus_war", "-", "Belarus werde keine Soldaten in die Ukraine schicken, versicherte Lukaschenko"),
    ("belarus_war", "-", "Minsk hat erneut politische Gefangene freigelassen, darunter mehrere Journalisten"),
    ("belarus_war", "-", "Washington lockert Sanktionen gegen Belarus nach Gefangenenfreilassung"),
    ("belarus_war", "-", "Die russischen Soldaten sind nach dem Ende der Übung aus Belarus abgezogen worden"),
    (
        "belarus_war",
        "-",
        "Die Lage an der Grenze zu Belarus habe sich entspannt, erklärte der ukrainische Grenzschutz",
    ),
    (
        "airspace_nato",
        "+",
        "Über der Ostsee und Litauen seien Drohnen aus Belarus in den Nato-Luftraum eingedrungen",
    ),
    (
        "airspace_nato",
        "+",
        "Am Flughafen Vilnius wurde der Flugbetrieb wegen Heliumballons aus Belarus eingestellt",
    ),
    (
        "airspace_nato",
        "+",
        "Polnische und niederländische Kampfjets haben über Polen russische Drohnen abgeschossen",
    ),
    ("airspace_nato", "+", "Litauen beantragt nach den Ballonvorfällen Konsultationen nach Artikel 4"),
    ("airspace_nato", "+", "Eine Drohne ist in Lettland nahe der Grenze zu Belarus abgestürzt"),
    ("airspace_nato", "+", "Russische Drohnen flogen über Belarus nach Polen"),
    (
        "airspace_nato",
        "+",
        "Nach der Luftraumverletzung durch Drohnen aus Belarus stiegen polnische Abfangjäger auf",
    ),
    (
        "airspace_nato",
        "-",
        "Nach der nächtlichen Sperrung hat der Flughafen Vilnius den Flugverkehr wieder aufgenommen",
    ),
    ("none", "", "Belarus und Russland unterzeichnen Abkommen über Zusammenarbeit in der Landwirtschaft"),
    ("none", "", "Lukaschenko eröffnet neues Stadion in Minsk"),
    ("none", "", "Polen schließt Abkommen mit Deutschland über Bahnverbindung"),
    ("none", "", "Russische Drohnen greifen erneut Charkiw an"),
    ("none", "", "Der Flughafen Frankfurt hat den Betrieb nach dem Streik wieder aufgenommen"),
    ("none", "", "Belarussische Tennisspielerin Sabalenka gewinnt in Melbourne"),
    ("none", "", "Die Ukraine zieht Bilanz nach einem Jahr Krieg"),
    (
        "belarus_war",
        "+",
        "Па звестках украінскай разведкі, Беларусь сканцэнтравала каля мяжы з Украінай некалькі батальёнаў",
    ),
    (
        "belarus_war",
        "+",
        "Міністэрства абароны Беларусі паведаміла пра перадыслакацыю падраздзяленняў да паўднёвай мяжы",
    ),
    ("belarus_war", "+", "У Беларусь перакідваюць расійскіх дэсантнікаў"),
    ("belarus_war", "+", "Лукашэнка: расійская ядзерная зброя ўжо размешчаная ў Беларусі"),
    ("belarus_war", "+", "Беларусь і Расія пачалі сумесныя вайсковыя вучэнні"),
    ("belarus_war", "+", "Украіна рыхтуецца да магчымага наступу з боку Беларусі"),
    ("belarus_war", "+", "У Беларусі пачалася мабілізацыя рэзервістаў"),
    ("belarus_war", "+", "Расія ціскае на Лукашэнку, каб уцягнуць Беларусь у вайну"),
    ("belarus_war", "-", "Лукашэнка адмовіўся пасылаць беларускае войска ва Украіну"),
    ("belarus_war", "-", "Расійскія вайскоўцы вярнуліся з Беларусі ў месцы пастаяннай дыслакацыі"),
    ("belarus_war", "-", "ЗША аслабілі санкцыі супраць Беларусі"),
    ("belarus_war", "-", "Беларускія палітвязні вызваленыя і вывезеныя ў Літву"),
    ("airspace_nato", "+", "Літва зачыніла аэрапорт Вільнюса праз метэазонды з Беларусі"),
    ("airspace_nato", "+", "У Польшчы знайшлі абломкі дрона"),
    ("airspace_nato", "+", "Польскія знішчальнікі падняліся ў паветра праз атаку дронаў"),
    ("airspace_nato", "-", "Аэрапорт Вільнюса аднавіў працу пасля закрыцця"),
    ("none", "", "Лукашэнка адкрыў новы завод у Мінску"),
    ("none", "", "Зборная Беларусі па хакеі перамагла Польшчу"),
    ("none", "", "Расійскія дроны атакавалі Харкаў уначы"),
    ("belarus_war", "+", "Łukašenka zahadaŭ pierakinuć vojski da miažy z Ukrainaj"),
    ("belarus_war", "+", "U Biełaruś prybyli rasijskija vajskoŭcy"),
    ("belarus_war", "-", "Łukašenka pamiłavaŭ palitviaźniaŭ"),
    ("airspace_nato", "+", "Paviatranyja šary z Biełarusi zaleciełi ŭ Litvu"),
    ("airspace_nato", "+", "Polšča źbiła rasijskija drony nad svajoj terytoryjaj"),
    ("belarus_war", "+", "Lukaschenko schließt eine Entsendung von Truppen in die Ukraine nicht aus"),
    (
        "belarus_war",
        "+",
        "Wie der ukrainische Grenzschutz am Montag mitteilte, habe Belarus seine Truppenpräsenz im Grenzgebiet zur Ukraine deutlich verstärkt",
    ),
    ("belarus_war", "+", "Weißrussland verlegt Iskander-Raketen in die Nähe der ukrainischen Grenze"),
    (
        "belarus_war",
        "+",
        "Russische Kampfjets und Hubschrauber sind für das Manöver nach Belarus verlegt worden",
    ),
    ("belarus_war", "+", "Der Westen befürchtet, dass Russland Belarus in den Krieg hineinziehen will"),
    ("belarus_war", "+", "Die Militarisierung von Belarus nimmt nach Einschätzung der Nato weiter zu"),
    ("belarus_war", "-", "Lukaschenko begnadigt inhaftierte Oppositionelle und Journalisten"),
    ("belarus_war", "-", "Die EU hebt einige Sanktionen gegen Belarus auf"),
    (
        "belarus_war",
        "-",
        "Die Truppen werden aus dem Grenzgebiet zur Ukraine in ihre Kasernen zurückverlegt, teilte Minsk mit",
    ),
    (
        "airspace_nato",
        "+",
        "Wegen mutmaßlicher Schmugglerballons aus Belarus ist der Luftraum über Vilnius gesperrt worden",
    ),
    ("airspace_nato", "+", "Polen meldet erneut Eindringen russischer Drohnen in seinen Luftraum"),
    ("airspace_nato", "+", "Litauen hat die Grenze zu Belarus wegen der Ballons vorübergehend geschlossen"),
    ("none", "", "Polen und Litauen beraten über gemeinsame Infrastrukturprojekte"),
    ("none", "", "Belarus exportiert mehr Kali nach China"),
    ("none", "", "Lukaschenko gratuliert Putin zum Geburtstag"),
    ("belarus_war", "+", "Беларусь не выключае ўдзелу ў вайне супраць Украіны"),
    ("belarus_war", "+", "Расея разьмясьціла ў Беларусі ядзерную зброю"),
    ("belarus_war", "+", "У Беларусі праходзіць раптоўная праверка баяздольнасці войскаў"),
    ("belarus_war", "-", "Лукашэнка заявіў, што беларускія войскі не пойдуць ва Украіну"),
    ("airspace_nato", "+", "Літва зноў зачыніла аэрапорт з-за балонаў з Беларусі"),
    ("airspace_nato", "+", "Расійскія дроны парушылі паветраную прастору Польшчы"),
    ("none", "", "Беларусь павялічыла экспарт калію ў Кітай"),
    ("none", "", "Лукашэнка павіншаваў Пуціна з днём нараджэння"),
    ("belarus_war", "+", "Biełaruś i Rasija pačali sumiesnyja vučenni"),
    ("airspace_nato", "-", "Aeraport Vilni znoŭ adkryli"),
    (
        "belarus_war",
        "+",
        "Belarus hat nach eigenen Angaben Luftabwehreinheiten und Artillerie an die Grenze zur Ukraine verlegen lassen",
    ),
    (
        "belarus_war",
        "+",
        "Laut ukrainischem Generalstab würden an der Nordgrenze belarussische Einheiten zusammengezogen",
    ),
    (
        "belarus_war",
        "+",
        "Der ukrainische Grenzschutz registriert eine verstärkte Aktivität belarussischer Truppen nahe der Grenze",
    ),
    ("belarus_war", "+", "Moskau verlegt Tausende Soldaten nach Belarus"),
    ("belarus_war", "+", "Nach Belarus sind weitere russische Truppen entsandt worden"),
    ("belarus_war", "+", "Russland will in Belarus Kernwaffen stationieren"),
    ("belarus_war", "+", "Erste russische Atomwaffen nach Belarus geliefert"),
    ("belarus_war", "+", "Belarussisch-russische Militärübungen an der Grenze zur Ukraine haben begonnen"),
    ("belarus_war", "+", "Kiew meldet Beschuss aus Belarus auf die Region Tschernihiw"),
    ("belarus_war", "+", "Beteiligt sich Belarus bald am Krieg gegen die Ukraine?"),
    ("belarus_war", "+", "Belarus kündigt Mobilmachung von Reservisten an"),
    (
        "belarus_war",
        "+",
        "Lukaschenko will belarussische Soldaten in die Ukraine entsenden, warnt der Geheimdienst",
    ),
    (
        "belarus_war",
        "+",
        "Belarus stellt Russland sein Territorium für Angriffe auf die Ukraine zur Verfügung",
    ),
    ("belarus_war", "-", "Minsk betont, die Manöver seien rein defensiv und richteten sich gegen niemanden"),
    ("belarus_war", "-", "Lukaschenko hat 16 politische Häftlinge begnadigt"),
    ("belarus_war", "-", "Russische Einheiten kehren nach dem Manöver Sapad in ihre Heimatstandorte zurück"),
    ("belarus_war", "-", "Die Übung Sapad wurde vorzeitig beendet"),
    (
        "airspace_nato",
        "+",
        "Erneut sind Ballons aus Belarus in den litauischen Luftraum eingedrungen, der Flughafen Vilnius musste schließen",
    ),
    (
        "airspace_nato",
        "+",
        "Drohnen verletzten in der Nacht den polnischen Luftraum, mehrere wurden abgeschossen",
    ),
    ("airspace_nato", "+", "Polen hat wegen der Drohnen Artikel 4 des Nato-Vertrags aktiviert"),
    ("airspace_nato", "+", "In Ostpolen ist eine Drohne eingeschlagen, Trümmer wurden gefunden"),
    ("airspace_nato", "+", "Russische Kampfdrohnen seien über belarussisches Gebiet nach Polen geflogen"),
    ("airspace_nato", "-", "Litauen öffnet den Flughafen Vilnius nach dem Ballonalarm wieder"),
    ("none", "", "Die Bundeswehr beteiligt sich an einem Nato-Manöver in Litauen"),
    ("none", "", "Ukrainische Drohnen greifen eine Raffinerie in Russland an"),
    ("none", "", "Bahnstrecke zwischen Berlin und Warschau wegen Bauarbeiten gesperrt"),
    ("none", "", "Belarus und China vereinbaren engere wirtschaftliche Zusammenarbeit"),
    ("none", "", "Deutsche Gaspreise steigen wegen kalten Winters"),
    ("belarus_war", "+", "Лукашэнка загадаў перакінуць дадатковыя падраздзяленні на паўднёвую мяжу"),
    (
        "belarus_war",
        "+",
        "Беларускія вайскоўцы сканцэнтраваныя ля мяжы з Украінай, паведамляюць украінскія памежнікі",
    ),
    ("belarus_war", "+", "Расея перакідвае ў Беларусь бамбардзіроўшчыкі"),
    ("belarus_war", "+", "У Беларусі размесцяць расійскія ракетныя комплексы «Іскандэр»"),
    ("belarus_war", "+", "Беларусь пачала сумесныя з Расеяй вайсковыя вучэнні"),
    ("belarus_war", "+", "З тэрыторыі Беларусі запусцілі ракеты па Украіне"),
    ("belarus_war", "+", "Крэмль шантажуе Мінск, каб той уступіў у вайну"),
    ("belarus_war", "-", "Беларусь не будзе ваяваць з Украінай, заявіў Лукашэнка"),
    ("belarus_war", "-", "На волю выйшлі 20 палітвязняў, памілаваных Лукашэнкам"),
    ("belarus_war", "-", "ЗША знялі санкцыі з «Белавіі»"),
    ("belarus_war", "-", "Расійскія войскі выводзяцца з Беларусі"),
    ("airspace_nato", "+", "Літоўскія вайскоўцы збілі дрон, які заляцеў з Беларусі"),
    ("airspace_nato", "+", "Беларускія кантрабандныя балоны ізноў паралізавалі аэрапорт Вільні"),
    ("airspace_nato", "+", "Расійскія дроны заляцелі ў паветраную прастору Латвіі"),
    ("none", "", "Беларускі тэнісіст выйграў турнір у Польшчы"),
    ("none", "", "Аэрапорт Мінска запусціў новы рэйс у Стамбул"),
    ("belarus_war", "+", "Rasieja pierakidvaje ŭ Biełaruś bambardziroŭščyki"),
    ("belarus_war", "-", "Łukašenka: biełaruskija vojski nie buduć vajavać va Ukrainie"),
    ("airspace_nato", "+", "Litva źbiła dron, jaki zalacieŭ z Biełarusi"),
    ("none", "", "Biełaruskija chakieisty pieramahli Polšču"),
    (
        "belarus_war",
        "+",
        "Der ukrainische Militärgeheimdienst HUR geht davon aus, dass Russland in den kommenden Wochen zusätzliche Einheiten seiner Luftlandetruppen über die Eisenbahn nach Belarus bringen und dort stationieren wird",
    ),
    (
        "belarus_war",
        "+",
        "Kremlchef Putin und der belarussische Machthaber Lukaschenko sind am Freitag zu einem kurzfristig anberaumten Treffen zusammengekommen",
    ),
    (
        "belarus_war",
        "-",
        "Die im Grenzgebiet zur Ukraine eingesetzten belarussischen Truppen sind nach Abschluss der Überprüfung an ihre Standorte zurückgekehrt",
    ),
    (
        "belarus_war",
        "-",
        "Lukaschenko hat am Donnerstag nach Vermittlung der USA weitere 31 politische Gefangene begnadigt und freigelassen",
    ),
    (
        "belarus_war",
        "-",
        "Im Gegenzug für die Freilassung von Häftlingen hat Washington die Sanktionen gegen den belarussischen Kaliproduzenten Belaruskali gelockert",
    ),
    (
        "airspace_nato",
        "+",
        "Am Flughafen der litauischen Hauptstadt ist der Betrieb in der Nacht zum Sonntag erneut für mehrere Stunden eingestellt worden, nachdem aus Belarus kommende Ballons gesichtet worden waren",
    ),
    (
        "airspace_nato",
        "+",
        "Nach Angaben des polnischen Einsatzführungskommandos sind in der Nacht mehrere Drohnen aus Richtung Belarus in den polnischen Luftraum eingedrungen",
    ),
    (
        "airspace_nato",
        "+",
        "Die litauische Regierung hat wegen der andauernden Ballonvorfälle beschlossen, die Grenzübergänge zu Belarus vorerst zu schließen",
    ),
    (
        "none",
        "",
        "Bei einem Treffen in Minsk haben Vertreter beider Länder über den Ausbau der Handelsbeziehungen gesprochen",
    ),
    ("none", "", "Der Flughafen Vilnius hat wegen Nebels zahlreiche Flüge gestrichen"),
    (
        "belarus_war",
        "+",
        "Як паведаміла Міністэрства абароны Беларусі, у межах праверкі падраздзяленні былі перакінутыя ў Гомельскую вобласць бліжэй да мяжы з Украінай",
    ),
    (
        "belarus_war",
        "+",
        "Па звестках украінскай выведкі, Расея плануе размясціць на тэрыторыі Беларусі дадатковыя вайсковыя часткі",
    ),
    (
        "belarus_war",
        "-",
        "Пасля заканчэння вучэнняў расійскія вайскоўцы пакінулі Беларусь і вярнуліся ў пункты пастаяннай дыслакацыі",
    ),
    (
        "airspace_nato",
        "+",
        "У ноч на нядзелю аэрапорт Вільні зноў спыніў працу на некалькі гадзін з-за метэазондаў, якія прыляцелі з боку Беларусі",
    ),
    (
        "airspace_nato",
        "+",
        "Польскае аператыўнае камандаванне паведаміла, што некалькі расійскіх дронаў праніклі ў паветраную прастору краіны з боку Беларусі",
    ),
    ("none", "", "Беларуская дэлегацыя правяла ў Вільні перамовы пра транзіт угнаенняў"),
    ("belarus_war", "+", "Belarussische Panzer rollen Richtung ukrainische Grenze"),
    (
        "belarus_war",
        "+",
        "Satellitenbilder zeigen einen Aufmarsch belarussischer Truppen an der Grenze zur Ukraine",
    ),
    ("belarus_war", "+", "Russland schickt weitere Kampfflugzeuge nach Belarus"),
    ("belarus_war", "+", "Lukaschenko: Russische Atomwaffen sind bereits in Belarus"),
    ("belarus_war", "+", "Ukraine warnt vor einem möglichen Angriff aus Belarus"),
    ("belarus_war", "+", "Selenskyj: Belarus könnte sich am Krieg beteiligen"),
    ("belarus_war", "+", "Manöver Sapad: Russische und belarussische Truppen üben gemeinsam"),
    ("belarus_war", "-", "Lukaschenko: Belarus wird niemals Truppen in die Ukraine schicken"),
    ("belarus_war", "-", "Freilassung politischer Gefangener in Belarus: USA lockern Sanktionen"),
    ("belarus_war", "-", "Russland hat seine Truppen aus Belarus abgezogen"),
    ("airspace_nato", "+", "Drohnenalarm in Polen: Flughafen Rzeszów vorübergehend geschlossen"),
    ("airspace_nato", "+", "Schmuggelballons aus Belarus legen Flughafen Vilnius lahm"),
    ("airspace_nato", "+", "Lettland meldet Luftraumverletzung durch Drohne aus Belarus"),
    ("airspace_nato", "+", "Nato-Kampfjets steigen wegen russischer Drohnen über Polen auf"),
    ("none", "", "Belarussische Opposition trifft sich in Vilnius"),
    ("none", "", "Russland greift die Ukraine mit Hunderten Drohnen an"),
    ("belarus_war", "+", "Biełaruś uzmacniaje hrupoŭku vojskaŭ na ŭkrainskaj miažy"),
    ("belarus_war", "+", "Łukašenka abviaściŭ raptoŭnuju pravierku bajavoj hatoŭnasci"),
    ("belarus_war", "-", "Łukašenka: Biełaruś nie budzie ŭdzielničać u vajnie"),
    ("belarus_war", "-", "ZŠA źniali sankcyi z Biełaruskalija"),
    ("airspace_nato", "+", "Aeraport Vilni začynili praz balony z Biełarusi"),
    ("airspace_nato", "+", "Rasijskija drony zalacieli ŭ paviatranuju prastoru Polščy"),
    ("belarus_war", "+", "Беларускія танкі рухаюцца да ўкраінскай мяжы"),
    ("belarus_war", "-", "Лукашэнка вызваліў яшчэ 25 палітвязняў"),
    (
        "airspace_nato",
        "+",
        "Польшча і Літва скардзяцца на беларускія балоны, якія парушаюць паветраную прастору",
    ),
    ("none", "", "Беларуская апазіцыя сабралася ў Вільні"),
]

# Cases the definitions still get wrong, with the reason; strict, so a fix shows up as XPASS.
KNOWN_GAPS = [
    (
        "belarus_war",
        "+",
        "Wie das belarussische Verteidigungsministerium am Dienstagabend in seinem Telegram-Kanal mitteilte, seien im Rahmen einer unangekündigten Überprüfung mehrere mechanisierte Brigaden aus ihren Kasernen in die an die Ukraine grenzenden Gebiete Gomel und Brest verlegt worden",
        "bw_troops_to_border: a verb-final reported-speech clause spans 32 words, beyond its 20-word window (a wider window or `sentence` loses precision or recall on the labelled sets)",
    ),
    (
        "airspace_nato",
        "-",
        "Litauen öffnet den Flughafen Vilnius nach der Sperrung wegen Ballons wieder",
        "an_airport_closed fires on 'Sperrung' and an_airspace_reopened on 'öffnet': equal weights cancel out",
    ),
    (
        "belarus_war",
        "+",
        "Беларусь пачала сумесныя з Расеяй вайсковыя вучэньні",
        "the loader does not derive the classical 'вучэньні' from 'вучэнн*' or from the whole form 'вучэнні' (indicators/_languages.py)",
    ),
]


def _predict(shipped: tuple[Matcher, ScenarioSet], text: str) -> tuple[str, float, dict[str, list[str]]]:
    matcher, scenario_set = shipped
    result = matcher.match({"title": text})
    contributions = score_item(result, scenario_set)
    predicted = predict(contributions) or "none"
    evidence = {m.indicator_id: [e.text for e in m.evidence] for m in result.matches}
    value = contributions[predicted].value if predicted != "none" else 0.0
    return predicted, value, evidence


@pytest.mark.parametrize(("expected", "sign", "text"), SENTENCES)
def test_paraphrase(shipped: tuple[Matcher, ScenarioSet], expected: str, sign: str, text: str) -> None:
    predicted, value, evidence = _predict(shipped, text)
    assert predicted == expected, evidence
    if expected != "none":
        assert (value > 0) == (sign == "+"), evidence


@pytest.mark.parametrize(
    ("expected", "sign", "text"),
    [pytest.param(e, s, t, marks=pytest.mark.xfail(reason=why, strict=True)) for e, s, t, why in KNOWN_GAPS],
)
def test_known_gap(shipped: tuple[Matcher, ScenarioSet], expected: str, sign: str, text: str) -> None:
    predicted, value, evidence = _predict(shipped, text)
    assert predicted == expected and (value > 0) == (sign == "+"), evidence


def test_both_languages_and_all_belarusian_spellings() -> None:
    cyrillic = [t for _, _, t in SENTENCES if any("\u0400" <= ch <= "\u04ff" for ch in t)]
    lacinka = [t for _, _, t in SENTENCES if any(ch in "łŭšžčź" for ch in t.lower())]
    classical = [t for t in cyrillic if any(w in t for w in ("сьц", "зьн", "зьм", "сьм", "вязьн"))]
    assert len(cyrillic) >= 40 and len(lacinka) >= 10 and classical
    assert {"+", "-", ""} <= {sign for _, sign, _ in SENTENCES}

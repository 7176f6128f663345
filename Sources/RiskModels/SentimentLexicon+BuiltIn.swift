extension SentimentLexicon {
    /// The built-in lexicon in the file format of `init(parsing:source:)`: written for RiskStream (no third-party
    /// word list), so it can be dumped to a file, edited and loaded back.
    public static let builtInText = """
        # RiskStream built-in finance sentiment lexicon, written for this project.
        # Format: term<spaces or tab>score in [-1, 1]; '#' starts a comment; a term of several words is a phrase.
        # Scores: about ±0.9 for events that usually move a stock hard (fraud, bankruptcy, takeover bid),
        # ±0.6 for clear corporate news (downgrade, beat), ±0.3 for mild colour (pressure, steady).

        # --- Credit, solvency, liquidity ---
        bankruptcy          -1.0
        bankrupt            -1.0
        insolvency          -0.95
        insolvent           -0.95
        default             -0.85
        defaults            -0.85
        receivership        -0.9
        liquidation         -0.85
        going concern       -0.8
        restructuring       -0.4
        debt restructuring  -0.6
        distressed          -0.7
        distress            -0.7
        covenant breach     -0.75
        missed payment      -0.8
        liquidity crunch    -0.75
        cash burn           -0.45
        writedown           -0.6
        write down          -0.6
        write off           -0.6
        impairment          -0.55
        junk                -0.5
        credit watch        -0.5
        negative outlook    -0.6
        positive outlook    0.5
        stable outlook      0.15
        bailout             -0.6
        rescue              -0.3
        dilution            -0.45
        dilutive            -0.45
        margin call         -0.7
        delinquency         -0.6
        delinquent          -0.6
        non performing      -0.6
        arrears             -0.55

        # --- Ratings and analyst actions ---
        downgrade           -0.65
        upgrade             0.65
        outperform          0.5
        underperform        -0.5
        overweight          0.4
        underweight         -0.4
        buy rating          0.5
        sell rating         -0.5
        price target cut    -0.5
        price target raise  0.5
        cut to sell         -0.7
        raise to buy        0.7
        initiate            0.1
        bullish             0.55
        bearish             -0.55
        reiterate           0.1

        # --- Legal, regulatory, governance ---
        fraud               -0.95
        fraudulent          -0.95
        probe               -0.6
        investigation       -0.6
        investigate         -0.55
        inquiry             -0.5
        subpoena            -0.65
        indictment          -0.85
        indict              -0.85
        charge              -0.3
        charged             -0.55
        lawsuit             -0.55
        sue                 -0.5
        litigation          -0.5
        class action        -0.6
        settlement          -0.2
        settle              -0.1
        fine                -0.45
        penalty             -0.5
        sanction            -0.55
        violation           -0.6
        violate             -0.6
        misconduct          -0.7
        embezzlement        -0.9
        bribery             -0.85
        bribe               -0.8
        corruption          -0.8
        manipulation        -0.7
        insider trading     -0.75
        money laundering    -0.85
        accounting irregularities -0.9
        irregularity        -0.7
        restatement         -0.7
        restate             -0.65
        whistleblower       -0.5
        allegation          -0.5
        allege              -0.45
        accuse              -0.55
        scandal             -0.8
        raid                -0.6
        antitrust           -0.4
        monopoly            -0.3
        ban                 -0.55
        blacklist           -0.65
        delist              -0.8
        delisting           -0.8
        suspend             -0.55
        suspension          -0.55
        halt                -0.6
        trading halt        -0.65
        resign              -0.45
        resignation         -0.45
        ousted              -0.55
        oust                -0.5
        step down           -0.35
        abrupt departure    -0.6
        cleared             0.5
        acquit              0.6
        acquitted           0.6
        exonerate           0.6
        dismiss lawsuit     0.5
        approval            0.6
        approve             0.55
        clearance           0.5
        license             0.2
        granted             0.35
        reject              -0.55
        rejection           -0.55
        deny                -0.35
        denial              -0.4
        veto                -0.5
        block               -0.45
        warning letter      -0.6
        complete response letter -0.6

        # --- Operations and products ---
        recall              -0.6
        defect              -0.55
        defective           -0.6
        outage              -0.55
        breach              -0.6
        data breach         -0.7
        hack                -0.6
        cyberattack         -0.65
        ransomware          -0.65
        explosion           -0.7
        fire                -0.45
        spill               -0.6
        accident            -0.55
        crash               -0.7
        fatal               -0.7
        death               -0.5
        injury              -0.4
        contamination       -0.65
        shortage            -0.45
        disruption          -0.5
        disrupt             -0.4
        delay               -0.45
        postpone            -0.4
        cancel              -0.45
        cancellation        -0.45
        shutdown            -0.6
        shut                -0.45
        closure             -0.45
        walkout             -0.45
        layoff              -0.6
        layoffs             -0.6
        lay off             -0.6
        job cuts            -0.55
        cut jobs            -0.55
        furlough            -0.5
        bottleneck          -0.35
        backlog             0.2
        launch              0.35
        unveil              0.25
        breakthrough        0.7
        innovation          0.35
        patent              0.2
        milestone           0.4
        expansion           0.4
        expand              0.35
        contract            0.3
        win                 0.5
        award               0.45
        partnership         0.4
        alliance            0.3
        deal                0.3
        agreement           0.25
        collaboration       0.3
        success             0.55
        successful          0.55
        efficacy            0.45
        effective           0.3
        positive results    0.6
        positive data       0.55
        fail                -0.6
        failure             -0.65
        flop                -0.6
        setback             -0.55
        obstacle            -0.35
        problem             -0.4
        glitch              -0.4
        side effects        -0.45
        adverse             -0.5

        # --- Earnings and guidance ---
        beat                0.6
        beats estimates     0.7
        top estimates       0.65
        tops estimates      0.65
        miss                -0.6
        misses estimates    -0.7
        shortfall           -0.6
        profit warning      -0.85
        earnings warning    -0.8
        warning             -0.5
        warn                -0.55
        raise guidance      0.7
        raises guidance     0.7
        lift guidance       0.65
        boost guidance      0.65
        cut guidance        -0.7
        lower guidance      -0.7
        slash guidance      -0.8
        withdraw guidance   -0.75
        reaffirm guidance   0.3
        guidance cut        -0.7
        record high         0.6
        record profit       0.7
        record revenue      0.6
        record earnings     0.65
        record sales        0.6
        record loss         -0.75
        record low          -0.6
        profit              0.35
        profitable          0.5
        profitability       0.35
        loss                -0.45
        losses              -0.45
        net loss            -0.5
        unprofitable        -0.5
        revenue growth      0.5
        growth              0.35
        grow                0.3
        decline             -0.45
        slowdown            -0.45
        slow                -0.3
        slump               -0.6
        weak                -0.5
        weaker              -0.5
        weakness            -0.5
        strong              0.45
        stronger            0.45
        strength            0.4
        robust              0.5
        solid               0.35
        resilient           0.4
        better than expected 0.6
        worse than expected -0.6
        above expectations  0.55
        below expectations  -0.55
        exceed              0.55
        outpace             0.4
        underwhelm          -0.45
        disappoint          -0.6
        disappointing       -0.6
        disappointment      -0.6
        impressive          0.5
        upbeat              0.5
        optimistic          0.45
        optimism            0.45
        pessimistic         -0.45
        pessimism           -0.45
        cautious            -0.25
        caution             -0.25
        headwind            -0.4
        tailwind            0.4
        margin pressure     -0.5
        margin expansion    0.5
        pressure            -0.3
        squeeze             -0.4
        dividend cut        -0.7
        cut dividend        -0.7
        suspend dividend    -0.75
        dividend increase   0.55
        raise dividend      0.55
        special dividend    0.5
        buyback             0.5
        share repurchase    0.5
        repurchase          0.45
        stock split         0.3
        cost cuts           0.2
        savings             0.25
        efficiency          0.25
        inventory glut      -0.5
        overcapacity        -0.45
        oversupply          -0.4
        demand surge        0.55
        weak demand         -0.6
        strong demand       0.6
        sold out            0.4

        # --- Corporate events ---
        takeover            0.5
        takeover bid        0.6
        acquire             0.3
        acquisition         0.3
        merger              0.3
        buyout              0.5
        tender offer        0.5
        premium             0.3
        bid                 0.3
        hostile             -0.3
        spin off            0.2
        divest              0.05
        sell off            -0.5
        selloff             -0.6
        activist            0.2
        deal collapse       -0.7
        terminate           -0.45
        termination         -0.45
        walk away           -0.5
        scrap               -0.5
        abandon             -0.5

        # --- Price action and market colour ---
        plunge              -0.75
        plummet             -0.8
        tumble              -0.65
        sink                -0.6
        slide               -0.5
        slip                -0.35
        drop                -0.45
        fall                -0.45
        dive                -0.65
        crater              -0.8
        collapse            -0.85
        rout                -0.75
        meltdown            -0.85
        turmoil             -0.65
        panic               -0.75
        crisis              -0.75
        volatile            -0.3
        volatility          -0.3
        fear                -0.5
        worry               -0.45
        concern             -0.4
        uncertainty         -0.4
        uncertain           -0.35
        risk                -0.25
        threat              -0.45
        jeopardy            -0.6
        downturn            -0.55
        recession           -0.65
        contraction         -0.45
        bubble              -0.4
        low                 -0.2
        lows                -0.35
        underwater          -0.5
        surge               0.6
        soar                0.7
        jump                0.5
        rally               0.55
        rebound             0.45
        recover             0.4
        recovery            0.45
        climb               0.4
        rise                0.35
        gain                0.4
        advance             0.35
        spike               0.2
        skyrocket           0.75
        boom                0.6
        outperformance      0.5
        high                0.15
        highs               0.35
        all time high       0.6
        upside              0.4
        downside            -0.4
        momentum            0.3
        boost               0.45
        lift                0.35
        raise               0.35
        improve             0.45
        improvement         0.45
        accelerate          0.35
        beat expectations   0.65
        steady              0.15
        stabilize           0.3
        stable              0.15
        calm                0.15
        confidence          0.35
        confident           0.4
        favorable           0.45
        favourable          0.45
        unfavorable         -0.45
        unfavourable        -0.45
        attractive          0.35
        undervalued         0.3
        overvalued          -0.35
        gloomy              -0.5
        bleak               -0.6
        dire                -0.7
        grim                -0.6
        brighter            0.45
        bright              0.35
        positive            0.4
        negative            -0.4
        good                0.3
        bad                 -0.4
        great               0.4
        poor                -0.5
        worse               -0.5
        worst               -0.65
        best                0.45
        better              0.35
        """
}

/// The real catalogue: upstream files pinned to a release or commit, so the bytes behind a URL
/// cannot change under the recorded hashes. data/README.md gives the provenance and licences.
extension DatasetCatalogue {
    public static let standard = DatasetCatalogue(datasets: [moleculeNet, moses, llmText])

    /// MoleculeNet's five benchmark sets as the KANO repository keeps them (the copies the
    /// repository commits under data/moleculenet, byte for byte).
    static let moleculeNet = Dataset(
        name: "moleculenet",
        summary: "the five MoleculeNet sets (BBBP, BACE, Tox21, ESOL, FreeSolv) from the KANO repository",
        files: [
            kano("bace.csv", sha256: "5fb6e2a87a148ec7393c1d874d26ec40ee74eb6223ea7d2bfa16d153eb75eb55", size: 103_230),
            kano("bbbp.csv", sha256: "a61e17872cbec0743a6147dc802a1f7550acfe8dc1053f881f4c42a3ce2dc597", size: 111_265),
            kano("esol.csv", sha256: "9e2bf77f3fc2d0ced4572341e2094904b992c9edf3762795f77cfc2bfd4de5ac", size: 33_975),
            kano("freesolv.csv", sha256: "97d74c86228d4c16c0fbbf063bb8280354d8152db09a85ade8517a2f43bd9824", size: 14_210),
            kano("tox21.csv", sha256: "b58cc1f683e78e3c7a1bf7116e9aac0119804018d100f7b8cdb0857941c31aca", size: 458_635),
        ])

    /// The MOSES training set is a member of the `molsets` source distribution on PyPI, stored
    /// there already gzip-compressed; it is taken out unchanged.
    static let moses = Dataset(
        name: "moses",
        summary: "the MOSES training set (1,584,663 SMILES) from the molsets 0.3.1 package on PyPI",
        files: [
            File(path: "pretrain/moses_train.csv.gz",
                 sha256: "786f0313aa6b9ba5514df685f885742a70ea8d86f1a4fa48115f7f80a634265c", size: 10_238_967,
                 origin: .archiveMember(
                     archive: RemoteFile(
                         url: "https://files.pythonhosted.org/packages/17/d6/a3579955e10b0fe78a82e05f0b389ac12550ca2564d37a51879f8992ae3e/molsets-0.3.1.tar.gz",
                         sha256: "7ed3713e6f27cd7aed8099be21b527acf7a858c43205ddeb8eba94e7a7f70743", size: 51_576_415),
                     member: "molsets-0.3.1/moses/dataset/data/train.csv.gz")),
        ])

    /// The LGM-CL authors' descriptions, each file joined with its molecules; ESOL takes the
    /// measured solubility from the MoleculeNet copy because the authors' file carries ESOL's
    /// own model prediction instead.
    static let llmText = Dataset(
        name: "llm-text",
        summary: "the LGM-CL authors' LLM descriptions of BBBP, BACE, ESOL and FreeSolv molecules",
        files: [
            File(path: "llm_text/bbbp_llm.csv",
                 sha256: "b0e1286182d4d121ff10bec79f8bedd21bb7ee52c2843b339ba3e897f98ddd81", size: 2_348_108,
                 origin: .llmDescriptions(LLMDescriptionSources(
                     molecules: lgmcl("Process_Datasets/BBBP.csv", sha256: "c8735fee5d064d02bad7fdaf7ec3609df7b9d84a4f8deef39099d62c09dd2663", size: 107_494),
                     descriptions: lgmcl("Process_Text_Datasets/BBBP_text.csv", sha256: "3c3ba4932d9a6db29b53bfb084f2a6310ce08a51e732c55c569f732cec056e34", size: 2_374_261)))),
            File(path: "llm_text/bace_llm.csv",
                 sha256: "b4cda1825052d903b3c6289596d1eff421d484e3bfd35536b00ac60fca0e73ae", size: 1_956_411,
                 origin: .llmDescriptions(LLMDescriptionSources(
                     molecules: lgmcl("Process_Datasets/bace.csv", sha256: "d050b0c79a1b101532172ec503819633b73cca0f4d009c88ef6c6d20e5d85ef9", size: 104_745),
                     descriptions: lgmcl("Process_Text_Datasets/bace_text.csv", sha256: "3c2efc0d8ad2e21796e2c053172ad9fce6427d0e5bc6f32c2adf3b8a301618a0", size: 1_954_953)))),
            File(path: "llm_text/esol_llm.csv",
                 sha256: "f25f134b01f08c4d3d6ca2be7391b8dfd6306f24d370b2dde4f8381c6460b37c", size: 1_230_879,
                 origin: .llmDescriptions(LLMDescriptionSources(
                     molecules: lgmcl("Process_Datasets/ESOL.csv", sha256: "c7fb2b9505c4040adc7ae35e393d0a70b6d6259e4f28a6ce935a09e68cf5a572", size: 35_493),
                     descriptions: lgmcl("Process_Text_Datasets/ESOL_text.csv", sha256: "ab01bd012d0f07b9aa044095b9b3dc179eb8105975337fdbfae8ad072f171be7", size: 1_272_435),
                     measuredLabels: .init(file: kano("esol.csv", sha256: "9e2bf77f3fc2d0ced4572341e2094904b992c9edf3762795f77cfc2bfd4de5ac", size: 33_975).upstream,
                                           column: "logSolubility")))),
            File(path: "llm_text/freesolv_llm.csv",
                 sha256: "b9535691526b57ccfcbc975b0db778bf5c3e0b4dc02a7c184cb25a7c127487a7", size: 661_901,
                 origin: .llmDescriptions(LLMDescriptionSources(
                     molecules: lgmcl("Process_Datasets/FreeSolv.csv", sha256: "3c3d11b77fa9d0f340da90d6992aa4c2f20c34469a8d974c04022903351e1f6f", size: 14_821),
                     descriptions: lgmcl("Process_Text_Datasets/FreeSolv_text.csv", sha256: "d7fe76a13381bba8522c4b4ba005eebe279c8123b6b3b767612c837acb03c5f6", size: 690_421)))),
        ])

    static let kanoCommit = "766b478fde816ea014c713f380b73e87cd780da8"
    static let lgmclCommit = "95dec14fc64532195d74efaa2c6e4d8ea17e3fa8"

    static func kano(_ name: String, sha256: String, size: Int64) -> File {
        let upstream = RemoteFile(url: "https://raw.githubusercontent.com/HICAI-ZJU/KANO/\(kanoCommit)/data/\(name)", sha256: sha256, size: size)
        return File(path: "moleculenet/\(name)", sha256: sha256, size: size, origin: .download(upstream))
    }

    static func lgmcl(_ path: String, sha256: String, size: Int64) -> RemoteFile {
        RemoteFile(url: "https://raw.githubusercontent.com/lhb0189/LGM-CL/\(lgmclCommit)/\(path)", sha256: sha256, size: size)
    }
}

extension DatasetCatalogue.File {
    /// The single upstream file of a plain download.
    var upstream: RemoteFile {
        guard case .download(let file) = origin else { preconditionFailure("\(path) is not a plain download") }
        return file
    }
}

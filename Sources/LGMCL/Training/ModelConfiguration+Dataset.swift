extension ModelConfiguration {
    /// Completes the configuration with the sizes only the data knows, once, where the dataset
    /// is opened: the token embedding's rows (the dataset's vocabulary, when it has one) and, for
    /// fine-tuning, the head's outputs (its tasks).
    mutating func adopt(_ dataset: MoleculeDataset, tasks: Bool) {
        if !dataset.vocabulary.isEmpty { text.vocabularySize = dataset.vocabulary.count }
        if tasks { fusion.tasks = dataset.taskCount }
    }
}

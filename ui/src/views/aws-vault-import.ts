// aws-vault's keys, offered while Rolebar's keyring holds none (the passphrase field is a
// password input, cleared after every attempt; Rust wipes its copy when the command ends), and
// the report of what an import did with each key.
import { call, toCommandError } from "../api";
import type { AwsVaultImportLine, AwsVaultImportReport, Overview } from "../bindings";
import { byId, h } from "../dom";
import { listAnd, t } from "../i18n";
import type { Page } from "./feedback";

export function mountAwsVaultImport(page: Page): { render(overview: Overview): void } {
  const awsVaultPassphrase = byId<HTMLInputElement>("aws-vault-passphrase");
  byId<HTMLFormElement>("aws-vault-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const passphrase = awsVaultPassphrase.value;
    awsVaultPassphrase.value = "";
    const error = byId("aws-vault-error");
    void (async () => {
      try {
        const report = await call("import_aws_vault", { passphrase: passphrase === "" ? null : passphrase });
        error.hidden = true;
        showImportReport(report);
      } catch (e) {
        const failure = toCommandError(e);
        error.textContent = failure.message;
        error.title = failure.code;
        error.hidden = false;
      }
      await page.refresh();
    })();
  });
  byId("aws-vault-report-close").addEventListener("click", () => {
    byId("aws-vault-report").hidden = true;
  });
  return { render: renderAwsVaultOffer };
}

function renderAwsVaultOffer(o: Overview): void {
  const offer = o.awsVaultOffer;
  byId("aws-vault-offer").hidden = offer === null;
  const text = byId("aws-vault-offer-text");
  const found =
    offer && offer.profiles.length > 0
      ? t("main-aws-vault-found", { count: offer.profiles.length, profiles: listAnd(offer.profiles) })
      : "";
  text.textContent = offer?.keyringLocked ? `${found} ${t("main-aws-vault-locked")}`.trim() : found;
  text.title = offer?.places.join("\n") ?? "";
  byId("aws-vault-passphrase-label").hidden = !(offer?.needsPassphrase ?? false);
}

function importOutcome(line: AwsVaultImportLine): string {
  switch (line.outcome) {
    case "imported":
      return t("main-aws-vault-outcome-imported");
    case "alreadyThere":
      return t("main-aws-vault-outcome-already");
    case "keptOther":
      return t("main-aws-vault-outcome-kept", { key: line.detail ?? "" });
    case "duplicate":
      return t("main-aws-vault-outcome-duplicate", { backend: line.detail ?? "" });
    case "skipped":
      return t("main-aws-vault-outcome-skipped", { why: line.detail ?? "" });
  }
}

function showImportReport(report: AwsVaultImportReport): void {
  byId("aws-vault-report-text").textContent = t("main-aws-vault-imported", { count: report.imported });
  byId("aws-vault-report-lines").replaceChildren(
    ...report.lines.map((line) =>
      h(
        "li",
        { "data-testid": "aws-vault-report-line", "data-profile": line.profile },
        `${line.profile} (${line.backend}) ${line.maskedKeyId ?? ""} ${importOutcome(line)}`,
      ),
    ),
  );
  byId("aws-vault-report").hidden = false;
}

import { expect, test } from '@playwright/test';

import {
  addServerThroughUi,
  chooseTheme,
  expectSameDocument,
  freeSimulatorUrl,
  markDocument,
  navigateTo,
  removeServerNamed,
} from './support/instances';
import { expectNoSeriousA11yViolations } from './utils/a11y';
import { adminCredentials, logInThroughApi } from './utils/auth';
import { simulator, simulatorEnv } from './utils/evodash-api';
import { saveScreenshot } from './utils/screenshots';

test.describe('instances journey', () => {
  test('add a server, create an instance, connect with the QR, see it connected live, disconnect, delete', async ({
    page,
  }, testInfo) => {
    test.setTimeout(180_000);
    const { username, password } = adminCredentials();
    const sim = simulatorEnv();
    const project = testInfo.project.name;
    const serverName = `Servidor jornada ${project}`;
    const displayName = `Loja Jornada ${project === 'phone' ? 'Celular' : 'Desktop'}`;
    const technicalName = `jornada-${project}`;

    await logInThroughApi(page, username, password);

    // 1. A server for the simulator, added on the Servidores page.
    const url = await freeSimulatorUrl(page, sim.url, serverName);
    expect(url, 'a URL of the simulator that no other server uses').not.toBeNull();
    await addServerThroughUi(page, { name: serverName, url: url!, key: sim.key });

    try {
      // 2. Instâncias: the list, then the form.
      await navigateTo(page, 'Instâncias');
      await expect(page.getByRole('link', { name: 'Nova instância' }).first()).toBeVisible();
      await expectNoSeriousA11yViolations(page);
      await page.getByRole('link', { name: 'Nova instância' }).first().click();
      await expect(page.getByRole('heading', { level: 1, name: 'Nova instância' })).toBeVisible();

      // Real-time validation, the suggested technical name and the phone mask.
      await page.getByLabel('Nome', { exact: true }).fill(displayName);
      await expect(page.getByLabel('Nome técnico')).toHaveValue(
        displayName.toLowerCase().replace(/ /g, '-'),
      );
      await page.getByLabel('Nome técnico').fill('x y');
      await expect(
        page.getByText('Use só letras sem acento, números, hífen (-) ou sublinhado (_), sem espaços.'),
      ).toBeVisible();
      await page.getByLabel('Nome técnico').fill(technicalName);
      await page.getByLabel('Servidor', { exact: true }).selectOption({ label: `${serverName} (${url!})` });
      await page.getByLabel('Número do WhatsApp (opcional)').pressSequentially('11987654321');
      await expect(page.getByLabel('Número do WhatsApp (opcional)')).toHaveValue(
        '+55 (11) 98765-4321',
      );
      await expectNoSeriousA11yViolations(page);
      await saveScreenshot(page, testInfo, 'instances-new');
      await page.getByRole('button', { name: 'Criar instância' }).click();

      // 3. The detail page of the new instance.
      await expect(page.getByRole('heading', { level: 1, name: displayName })).toBeVisible();
      const status = page.getByTestId('instance-status');
      await expect(status).toHaveText('Criada');
      await expect(page.getByText(technicalName).first()).toBeVisible();
      await expectNoSeriousA11yViolations(page);

      // 4. Connect: the QR code comes from the simulator.
      await markDocument(page);
      await page.getByRole('button', { name: 'Conectar' }).click();
      const dialog = page.getByRole('dialog', { name: `Conectar ${displayName}` });
      await expect(dialog).toBeVisible();
      const qr = dialog.getByRole('img', { name: `QR code para conectar ${displayName} ao WhatsApp` });
      await expect(qr).toBeVisible();
      await expect(qr).toHaveAttribute('src', /^data:image\/png;base64,/);
      await expectNoSeriousA11yViolations(page);
      await saveScreenshot(page, testInfo, 'instances-qr');

      // 5. The phone scans it: the page says "Conectada" by itself, without a reload.
      await simulator(page.request, sim, `/_sim/instances/${technicalName}/scan`, {
        number: '5511987654321',
        profileName: 'Loja Jornada',
      });
      await expect(dialog.getByText('Conectada!')).toBeVisible();
      await expect(dialog).toBeHidden();
      await expect(status).toHaveText('Conectada');
      await expect(page.getByTestId('profile-name')).toHaveText('Loja Jornada');
      await expect(page.getByText('+55 11 98765-4321').first()).toBeVisible();
      await expectSameDocument(page);
      await expect(
        page.getByRole('listitem').filter({ hasText: 'ação no painel' }).first(),
      ).toBeVisible();
      await saveScreenshot(page, testInfo, 'instance-detail-light');
      await chooseTheme(page, 'Escuro');
      await expectNoSeriousA11yViolations(page);
      await saveScreenshot(page, testInfo, 'instance-detail-dark');
      await chooseTheme(page, 'Claro');

      // The other tabs: recent messages and the send form, then the Evolution settings.
      await page.getByRole('tab', { name: 'Mensagens' }).click();
      await expect(page.getByRole('heading', { name: 'Mensagens recentes' })).toBeVisible();
      await expect(page.getByRole('link', { name: 'Ver todas em Mensagens' })).toHaveAttribute(
        'href',
        /\/messages\?instance=\d+$/,
      );
      await expectNoSeriousA11yViolations(page);
      await page.getByRole('tab', { name: 'Configurações' }).click();
      await expect(page.getByLabel('Recusar chamadas')).toBeVisible();
      await expect(page.getByText('A lista está vazia: todos os números são permitidos.')).toBeVisible();
      await expectNoSeriousA11yViolations(page);
      await saveScreenshot(page, testInfo, 'instance-settings');
      await page.getByRole('tab', { name: 'Visão geral' }).click();

      // Edit the display name.
      await page.getByRole('link', { name: 'Editar' }).click();
      await expect(page.getByRole('heading', { level: 1, name: `Editar ${displayName}` })).toBeVisible();
      await expectNoSeriousA11yViolations(page);
      await page.getByLabel('Nome', { exact: true }).fill(`${displayName} 2`);
      await page.getByRole('button', { name: 'Salvar alterações' }).click();
      await expect(page.getByRole('heading', { level: 1, name: `${displayName} 2` })).toBeVisible();

      // 6. Disconnect.
      await page.getByRole('button', { name: 'Desconectar' }).click();
      await expect(status).toHaveText('Desconectada');
      await expect(page.getByText(`${displayName} 2 foi desconectada.`)).toBeVisible();

      // The import page lists nothing importable: the instance is managed here already.
      await page.goto('/instances/import');
      await expect(page.getByRole('heading', { level: 1, name: 'Importar instâncias' })).toBeVisible();
      await page.getByLabel('Servidor', { exact: true }).selectOption({ label: `${serverName} (${url!})` });
      await expect(page.getByText('Consultando o servidor…')).toBeHidden();
      await expectNoSeriousA11yViolations(page);

      // 7. Delete, typing the technical name to confirm.
      await navigateTo(page, 'Instâncias');
      await page.getByLabel('Buscar por nome ou número').fill(technicalName);
      await page.getByRole('link', { name: `${displayName} 2` }).click();
      await expect(page.getByRole('heading', { level: 1, name: `${displayName} 2` })).toBeVisible();
      await page.getByRole('button', { name: 'Excluir' }).click();
      const confirm = page.getByRole('dialog', { name: `Excluir ${displayName} 2` });
      await expect(confirm.getByRole('button', { name: 'Excluir instância' })).toBeDisabled();
      await confirm.getByLabel(`Para confirmar, digite o nome técnico: ${technicalName}`).fill(technicalName);
      await expectNoSeriousA11yViolations(page);
      await confirm.getByRole('button', { name: 'Excluir instância' }).click();
      await expect(page.getByRole('heading', { level: 1, name: 'Instâncias' })).toBeVisible();
      await expect(page.getByText(`${displayName} 2 foi excluída.`)).toBeVisible();
      await expect(page.getByRole('link', { name: `${displayName} 2` })).toHaveCount(0);
    } finally {
      await removeServerNamed(page, serverName);
    }
  });
});
